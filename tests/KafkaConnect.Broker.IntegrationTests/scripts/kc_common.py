"""Shared helpers for the integration-test client scripts.

Every script prints diagnostics freely but exactly one line "RESULT <json>" that the C# test parses, and
exits non-zero (after printing the RESULT line when it can) if its own checks fail.
"""
import json
import sys

INSTALL_HINTS = {
    "kafka": "python3-kafka (kafka-python)",
    "confluent_kafka": "python3-confluent-kafka",
}


def require(module):
    """Imports a client module or exits with the Debian package that provides it."""
    try:
        return __import__(module)
    except ImportError as exc:
        fail("cannot import %s (%s); install it with: apt-get install -y %s"
             % (module, exc, INSTALL_HINTS.get(module, module)))


def log(msg, *args):
    print(msg % args if args else msg, file=sys.stderr, flush=True)


def emit(result):
    print("RESULT " + json.dumps(result, sort_keys=True), flush=True)


def fail(msg, result=None):
    if result is not None:
        result = dict(result)
        result["error"] = msg
        emit(result)
    print("FAIL: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def parse_configs(pairs):
    configs = {}
    for pair in pairs:
        if "=" not in pair:
            fail("config %r is not key=value" % pair)
        key, value = pair.split("=", 1)
        configs[key] = value
    return configs


def run(main):
    """Runs a script's main so that client exceptions become a one-line FAIL message and exit code 1."""
    try:
        main()
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: B902 - anything else is a client failure worth reporting
        import traceback
        traceback.print_exc()
        fail("%s: %s" % (type(exc).__name__, exc))
