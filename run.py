"""Entry point: `flask --app run …` and `gunicorn run:app` both load `app` from here."""
from dotenv import load_dotenv

load_dotenv()  # a .env file beside this one may hold SECRET_KEY, DATABASE_URL, …

from courses import create_app  # noqa: E402  (after the environment is loaded)
from courses.extensions import db  # noqa: E402

app = create_app()


@app.shell_context_processor
def shell_context():
    """Names available in `flask --app run shell`."""
    from courses import models

    return {"db": db, **{name: getattr(models, name) for name in models.__all__}}
