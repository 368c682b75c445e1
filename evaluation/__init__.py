"""Next-day callbacks, scoring, the leadership dashboard and the legal department's report. Not built yet."""
