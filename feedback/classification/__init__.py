"""Topic classification of residents' matters: a small multinomial naive Bayes over Chinese character n-grams.

- text.py: normalisation and the features (character 1–3-grams within each run of text).
- model.py: the classifier itself, with a calibrated confidence and the features that decided each answer.
- examples.tsv: bundled training examples written the way residents speak; heldout.tsv: a separate labelled set
  the classifier never trains on, for the measured accuracy of every version and for `make bench`.

Persistence (the versioned model file in private storage) and everything touching matters are in
feedback/services/classification.py.
"""
