"""A multinomial naive Bayes classifier over character n-grams, small enough to read and to explain.

Naive Bayes counts how often each n-gram occurs in each topic's examples; a text scores, for each topic, the sum
of its n-grams' log-probabilities under that topic. Those sums count overlapping n-grams (电, 电动, 电动车) as if
independent, which makes the raw posterior far too sure of itself; a temperature, fitted by cross-validation on
the training examples alone, divides the sums so that the confidence shown is close to how often the classifier
is right at that confidence. The explanation is exact, not a guess: each n-gram's share of the margin by which
the chosen topic beat the runner-up.

The model is plain data (JSON), never pickle: a file read back from storage cannot run code.
"""

import math
from collections import Counter
from dataclasses import dataclass

from feedback.classification.text import features, normalise

FORMAT = 1
# Additive smoothing and the n-gram presence were chosen by 10-fold cross-validation on examples.tsv alone.
ALPHA = 0.3
TEMPERATURES = [1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0]
FOLDS = 5
EXPLAIN_TOP = 5
EXPLAIN_CANDIDATES = 8
# An n-gram that begins or ends with one of these grammatical characters (我的, 现在, 坏了, 们那) reads as a
# fragment, not a word: it may weigh in the decision but is not shown as a reason for it.
FRAGMENT_EDGES = frozenset("的了着过们我你他她它这那在是就都也又还很吧呢吗啊呀个和与及或把被让给")


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    # The n-grams that decided it, strongest first.
    words: list[str]
    probabilities: dict[str, float]


class TopicClassifier:
    def __init__(
        self,
        *,
        labels: list[str],
        log_prior: list[float],
        log_prob: dict[str, list[float]],
        temperature: float = 1.0,
    ):
        self.labels = labels
        self.log_prior = log_prior
        self.log_prob = log_prob
        self.temperature = temperature

    @classmethod
    def fit(cls, texts: list[str], labels: list[str], *, alpha: float = ALPHA, calibrate: bool = True):
        if not texts or len(texts) != len(labels):
            raise ValueError("fit needs as many labels as texts, and at least one of each")
        names = sorted(set(labels))
        index = {name: i for i, name in enumerate(names)}
        counts: dict[str, list[float]] = {}
        totals = [0.0] * len(names)
        documents = Counter(labels)
        for text, label in zip(texts, labels, strict=True):
            column = index[label]
            for feature in features(text):
                counts.setdefault(feature, [0.0] * len(names))[column] += 1
                totals[column] += 1
        vocabulary = len(counts)
        denominators = [total + alpha * vocabulary for total in totals]
        model = cls(
            labels=names,
            log_prior=[math.log(documents[name] / len(labels)) for name in names],
            log_prob={
                feature: [math.log((row[i] + alpha) / denominators[i]) for i in range(len(names))]
                for feature, row in counts.items()
            },
        )
        if calibrate and min(documents.values()) >= FOLDS:
            model.temperature = _fitted_temperature(texts, labels, alpha=alpha)
        return model

    def _scores(self, found: set[str]) -> list[float]:
        """The log-likelihood of each label; n-grams never seen in training tell nothing and are left out."""
        scores = [0.0] * len(self.labels)
        for feature in found:
            row = self.log_prob.get(feature)
            if row is not None:
                for i, value in enumerate(row):
                    scores[i] += value
        return scores

    def probabilities(self, text: str) -> dict[str, float]:
        return dict(zip(self.labels, self._posterior(self._scores(features(text))), strict=True))

    def _posterior(self, scores: list[float]) -> list[float]:
        logits = [score / self.temperature + prior for score, prior in zip(scores, self.log_prior, strict=True)]
        top = max(logits)
        exps = [math.exp(logit - top) for logit in logits]
        total = sum(exps)
        return [value / total for value in exps]

    def predict(self, text: str) -> Prediction:
        found = features(text)
        posterior = self._posterior(self._scores(found))
        ranked = sorted(range(len(self.labels)), key=lambda i: posterior[i], reverse=True)
        best, runner_up = ranked[0], ranked[1] if len(ranked) > 1 else ranked[0]
        return Prediction(
            label=self.labels[best],
            confidence=posterior[best],
            words=self._deciding(text, found, best, runner_up),
            probabilities=dict(zip(self.labels, posterior, strict=True)),
        )

    def _deciding(self, text: str, found: set[str], best: int, runner_up: int) -> list[str]:
        """The words of the text that pulled most towards the chosen label and away from the runner-up.

        The strongest n-grams (EXPLAIN_CANDIDATES of them) are marked where they occur in the text, and the
        marked stretches are what is shown, strongest first: 上户, 户口 and 没上 read together as 没上户口, which
        a reader recognises, where three overlapping pieces would not. A single character rarely means anything
        to a reader and a fragment (FRAGMENT_EDGES) reads as none: neither is a candidate."""
        pulls: dict[str, float] = {}
        for feature in found:
            row = self.log_prob.get(feature)
            if row is not None and len(feature) > 1 and not {feature[0], feature[-1]} & FRAGMENT_EDGES:
                pull = row[best] - row[runner_up]
                if pull > 0:
                    pulls[feature] = pull
        strongest = sorted(pulls, key=lambda feature: (pulls[feature], len(feature), feature), reverse=True)
        normalised = normalise(text)
        weight = [0.0] * len(normalised)
        for feature in strongest[:EXPLAIN_CANDIDATES]:
            at = normalised.find(feature)
            while at != -1:
                for index in range(at, at + len(feature)):
                    weight[index] = max(weight[index], pulls[feature])
                at = normalised.find(feature, at + 1)
        stretches: list[tuple[float, str]] = []
        start = None
        for index, value in enumerate([*weight, 0.0]):
            if value and start is None:
                start = index
            elif not value and start is not None:
                stretches.append((max(weight[start:index]), normalised[start:index]))
                start = None
        chosen: list[str] = []
        for _pull, stretch in sorted(stretches, key=lambda pair: pair[0], reverse=True):
            # A word met again elsewhere in the text (对方 … 判决对方赔偿) is shown once.
            if not any(stretch in word for word in chosen):
                chosen.append(stretch)
            if len(chosen) == EXPLAIN_TOP:
                break
        return chosen

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "labels": self.labels,
            "temperature": self.temperature,
            "log_prior": [round(value, 6) for value in self.log_prior],
            "log_prob": {feature: [round(value, 5) for value in row] for feature, row in self.log_prob.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> "TopicClassifier":
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown topic model format {data.get('format')!r}")
        return cls(
            labels=data["labels"],
            log_prior=data["log_prior"],
            log_prob=data["log_prob"],
            temperature=data["temperature"],
        )


def _fitted_temperature(texts: list[str], labels: list[str], *, alpha: float) -> float:
    """The temperature with the lowest log-loss on held-out folds of the training examples. Each fold's model
    scores its left-out texts once; only the division by the temperature is tried again."""
    scored: list[tuple[list[float], list[float], int]] = []
    for fold in range(FOLDS):
        train = [i for i in range(len(texts)) if i % FOLDS != fold]
        model = TopicClassifier.fit([texts[i] for i in train], [labels[i] for i in train], alpha=alpha, calibrate=False)
        for i in range(fold, len(texts), FOLDS):
            if labels[i] in model.labels:
                scored.append((model._scores(features(texts[i])), model.log_prior, model.labels.index(labels[i])))

    def log_loss(temperature: float) -> float:
        loss = 0.0
        for scores, prior, truth in scored:
            logits = [score / temperature + p for score, p in zip(scores, prior, strict=True)]
            top = max(logits)
            loss -= logits[truth] - top - math.log(sum(math.exp(logit - top) for logit in logits))
        return loss

    return min(TEMPERATURES, key=log_loss)


@dataclass(frozen=True)
class Evaluation:
    accuracy: float
    # label → {"precision": …, "recall": …, "support": …}
    per_label: dict[str, dict[str, float]]
    # confusion[true][predicted] = count
    confusion: dict[str, dict[str, int]]
    size: int


def evaluate(model: TopicClassifier, texts: list[str], labels: list[str]) -> Evaluation:
    """Accuracy, per-label precision and recall, and the confusion matrix of `model` on a labelled set."""
    names = sorted(set(model.labels) | set(labels))
    confusion = {truth: dict.fromkeys(names, 0) for truth in names}
    for text, truth in zip(texts, labels, strict=True):
        confusion[truth][model.predict(text).label] += 1
    per_label = {}
    for name in names:
        hits = confusion[name][name]
        predicted = sum(confusion[truth][name] for truth in names)
        support = sum(confusion[name].values())
        per_label[name] = {
            "precision": hits / predicted if predicted else 0.0,
            "recall": hits / support if support else 0.0,
            "support": support,
        }
    correct = sum(confusion[name][name] for name in names)
    return Evaluation(
        accuracy=correct / len(labels) if labels else 0.0, per_label=per_label, confusion=confusion, size=len(labels)
    )
