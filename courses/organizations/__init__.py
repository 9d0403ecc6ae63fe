"""Organizations: the bloc → grassroots organization → party cell tree."""
