"""Public catalogue: the home page and course pages."""
