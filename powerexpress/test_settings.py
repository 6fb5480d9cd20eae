"""Settings for the test suite: the production settings with the two things tests need set.

Tasks run eagerly inside the test (explicitly: real-worker tests switch it off for themselves), and a
fixed test-only SECRET_KEY is used, because with DEBUG off the settings refuse to start without one.
Values set in the environment still win.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-site-4f1c9a7e2b")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

from powerexpress.settings import *  # noqa: E402,F403
