"""`make demo`'s last step: the demo app's database served by consentgate at http://127.0.0.1:8000.

Run after demo.py (which leaves the database):  .venv/bin/python examples/demo-app/serve.py [--database
var/demo.db] [--port 8000]. Creates an admin key for the operator console (printed once), says where to
click, and then runs `consentgate serve` in the foreground until Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from consentgate.runtime.apikeys.service import ApiKeyService
from consentgate.runtime.ports import SystemClock
from consentgate.service.settings import ENV_CATALOG, ENV_DEMO_TENANT, ENV_MANIFEST
from consentgate.store.database import ENV_URL, Database

HERE = Path(__file__).parent
MANIFEST = HERE.parent / "seed-case" / "fixed.yaml"
LESSONS = HERE / "lessons.yaml"
TENANT = "demo"


def operator_key(url: str) -> str:
    database = Database(url)
    try:
        keys = ApiKeyService(database, clock=SystemClock())
        return keys.create(TENANT, "make demo: operator console", ["admin"]).token
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="var/demo.db")
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", "8000")))
    args = parser.parse_args()
    url = f"sqlite:///{Path(args.database).resolve()}"
    token = operator_key(url)
    base = f"http://127.0.0.1:{args.port}"
    print(
        f"""
== consentgate is serving the demo app at {base} (Ctrl-C stops it) ==
1. {base}/demo
   Sign up as a new user of the English-learning app: the notice comes first, with 「仅浏览 / Just
   browse」 beside 「同意」 (browse the lessons without an account, agree later). Only the phone number
   and password are required; skip every other question and you still reach the home page. Answers
   are kept only if you tick the box beside them; sharing asks one box per affiliated app.
2. {base}/me/privacy   (once signed up)
   The privacy center: what is held and why, a switch per purpose, personalized feed on/off, download,
   correct or delete your data, cancel the account.
3. {base}/console
   The operator console. Sign in with this admin key (shown only now):
   {token}
   han-meimei's copy request from a month ago is overdue and listed first.
4. {base}/docs
   The HTTP API (OpenAPI at /openapi.json).
""",
        flush=True,
    )
    os.environ.update(
        {ENV_URL: url, ENV_MANIFEST: str(MANIFEST), ENV_CATALOG: str(LESSONS), ENV_DEMO_TENANT: TENANT}
    )
    consentgate = Path(sys.executable).with_name("consentgate")
    os.execv(consentgate, [str(consentgate), "serve", "--port", str(args.port)])


if __name__ == "__main__":
    main()
