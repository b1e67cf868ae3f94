"""Languages, catalogs, language detection and the one language decision."""
