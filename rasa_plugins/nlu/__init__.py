"""Linear NLU for Rasa: TF-IDF character and word n-grams with calibrated linear classifiers.

``rasa_plugins.nlu.intent_classifier.LinearIntentClassifier`` replaces ``DIETClassifier``
and ``rasa_plugins.nlu.response_selector.LinearResponseSelector`` replaces
``ResponseSelector`` in ``config.yml``.
"""
