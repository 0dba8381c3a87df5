"""Language identification with py3langid (its model ships inside the package)."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _language_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float]:
    """ISO 639-1 code and probability from py3langid (first 2,000 characters)."""
    lang, prob = _language_identifier().classify(text[:2000])
    return lang, float(prob)


# A language identified with less confidence than this counts as unknown: the document is
# analysed as English (the default pipeline) and is scored. Short texts ("No evidence given.",
# "Теория заговора.") are where identification is unsure.
MIN_CONFIDENCE = 0.5


def language_of(text: str, given: str | None = None,
                confidence: float | None = None) -> str | None:
    """The language a document is analysed in: `given` (lower case) when the input named it
    or when its identification is confident enough, else what py3langid identifies with at
    least MIN_CONFIDENCE, else None (unknown)."""
    if isinstance(given, str) and given.strip():
        if confidence is None or confidence != confidence or confidence >= MIN_CONFIDENCE:
            return given.strip().lower()
        return None
    lang, prob = detect_language(text)
    return lang if prob >= MIN_CONFIDENCE else None
