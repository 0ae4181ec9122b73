# Sourced by the scripts: install a Debian package that is missing, when this
# machine can (root with apt-get); otherwise say what to do and return 1.
# apt_install PACKAGE WHY HINT
apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "$1 not found: installing it with apt-get ($2)" >&2
    apt-get update -qq && apt-get install -y -qq "$1" >/dev/null
  else
    echo "$1 not found: $3" >&2
    return 1
  fi
}
