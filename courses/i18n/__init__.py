"""The interface language: Vietnamese by default, English as the second language."""
