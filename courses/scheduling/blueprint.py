"""The scheduling blueprint (/organize), shared by views.py, directory_views.py and materials_views.py."""
from flask import Blueprint

bp = Blueprint("scheduling", __name__)
