# Sourced by the other scripts: makes .venv with Python 3.11 and installs the pinned
# requirements (only when a requirements file changed since the last install).
set -euo pipefail
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
requirements="${1:-requirements.txt}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(basename "$requirements")"
if [ ! -f "$stamp" ] || [ -n "$(find requirements*.txt -newer "$stamp")" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
