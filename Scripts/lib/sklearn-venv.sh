# Sourced: makes .venv-sklearn (scikit-learn from PyPI) once and exports SKLEARN_PYTHON.
venv="${SMUGGLEWATCH_VENV:-$PWD/.venv-sklearn}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sklearn' 2>/dev/null; then
  echo "setting up $venv with scikit-learn (once)…" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check scikit-learn >&2
fi
export SKLEARN_PYTHON="$venv/bin/python"
export SMUGGLEWATCH_SKLEARN_PYTHON="$SKLEARN_PYTHON"
