# ruff: noqa
# Cases for agentic_action/prove/semgrep_rules/secrets.yaml.
import os

# ruleid: hardcoded-secret
DB_PASSWORD = "hunter2-but-longer"
# ruleid: hardcoded-secret
api_key: str = "a8f5f167f44f4964e6c998dee827110c"
# ok: hardcoded-secret
TOKEN_ENV_NAME = "GITHUB_TOKEN"
# ok: hardcoded-secret
password = os.environ["DB_PASSWORD"]
# ok: hardcoded-secret
SECRET = ""
# ok: hardcoded-secret
secret = "changeme"
# ok: hardcoded-secret
token = "${TOKEN}"
# ok: hardcoded-secret
user_name = "a-long-user-name"


def connect(client, settings):
    # ruleid: hardcoded-secret
    client.login(user="bob", password="correct-horse-battery")
    # ruleid: hardcoded-secret
    settings.auth_token = "0123456789abcdef0123"
    # ruleid: hardcoded-secret
    config = {"client_secret": "s3cr3t-value-here"}
    # ok: hardcoded-secret
    client.login(user="bob", password=settings.password)
    return config


# ruleid: hardcoded-token-literal
HEADERS = {"Authorization": "Bearer ghp_abcdefghijklmnopqrstuvwxyz0123456789"}
# ruleid: hardcoded-token-literal
AWS = "AKIAABCDEFGHIJKLMNOP"
# ok: hardcoded-token-literal
SHORT_PREFIX = "ghp_short"
