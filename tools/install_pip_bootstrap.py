"""Put a stand-in for ansible-test's pip bootstrap script in its cache, when it is missing.

``ansible-test sanity --venv`` creates virtual environments without pip and first downloads a
``get-pip`` script from a host that a closed network cannot reach. The stand-in does the same job
with what Python ships: ``ensurepip``, then ``pip install`` of the packages ansible-test asks for,
through the pip configuration of the machine (its index and mirrors).
"""

import os
import re
import sys

STAND_IN = '''"""Stand-in for the get-pip script of ansible-test (written by tools/install_pip_bootstrap.py)."""
import os
import subprocess
import sys

# ensurepip points PIP_CONFIG_FILE at /dev/null; the real install must see the machine's pip config.
ENVIRONMENT = dict(os.environ)

import ensurepip  # noqa: E402

ensurepip.bootstrap(upgrade=True)
ARGS = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + ARGS, env=ENVIRONMENT))
'''


def pip_version():
    import ansible_test._internal.python_requirements as requirements

    with open(requirements.__file__, encoding="utf-8") as handle:
        match = re.search(r"pip='([0-9.]+)'", handle.read())
    if not match:
        sys.exit("cannot find the pip version ansible-test bootstraps in %s" % requirements.__file__)
    return match.group(1)


def main():
    version = pip_version()
    path = os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % version.replace(".", "_"))
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(STAND_IN)
    print("wrote the pip bootstrap stand-in %s" % path)


if __name__ == "__main__":
    main()
