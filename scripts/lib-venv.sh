# ensure_venv DIR REQUIREMENTS: create or refresh a virtualenv when the pinned requirements change.
ensure_venv() {
  local venv=$1 req=$2
  if [ ! -x "$venv/bin/python" ] || ! cmp -s "$req" "$venv/.requirements"; then
    echo "[venv] creating $venv from $req (first run only)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$venv/.requirements"
  fi
}
