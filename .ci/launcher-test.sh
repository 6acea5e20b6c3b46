#!/usr/bin/env bash
# Tests of the ./tributary launcher's own behaviour that need no build: help, unknown commands and options, and that a
# command missing a tool names the Debian package (here: a PATH without the tool and without apt-get or sudo) instead
# of starting Java. Run by ./tributary test; takes a few seconds.
set -uo pipefail
cd "$(dirname "$0")/.."
BASH_BIN="$(command -v bash)"

passed=0 failed=0
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# A PATH with the basic tools the launcher uses, java and mvn, and nothing it might install.
NOBIN="$WORK/bin"
mkdir -p "$NOBIN"
for tool in bash env dirname find mkdir touch rm cat id java mvn; do
  src="$(command -v "$tool" 2>/dev/null)" && ln -s "$src" "$NOBIN/$tool"
done

# The same without java and mvn.
NOJAVA="$WORK/nojava"
mkdir -p "$NOJAVA"
for tool in bash env dirname find mkdir touch rm cat id; do
  src="$(command -v "$tool" 2>/dev/null)" && ln -s "$src" "$NOJAVA/$tool"
done

# check NAME EXPECTED_STATUS EXPECTED_TEXT [PATH] -- ARGS...: runs ./tributary ARGS, checks status and output.
check() {
  local name="$1" want_status="$2" want_text="$3" path="$4"; shift 5
  local out status
  out="$(PATH="$path" "$BASH_BIN" ./tributary "$@" 2>&1 </dev/null)"; status=$?
  if [[ $status -eq $want_status && "$out" == *"$want_text"* && "$out" != *"Exception"* \
        && "$out" != *"building"* ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name: ./tributary $* -> status $status (want $want_status, text '$want_text'):" >&2
    printf '%s\n' "$out" | head -5 >&2
  fi
}

check "help lists every command" 0 "deadletter list" "$PATH" -- help
for cmd in demo stack test gateway processor simulator agent devices deadletter bench build; do
  check "help names $cmd" 0 "  $cmd" "$PATH" -- help
done
check "unknown command" 1 "unknown command 'nonsense'" "$PATH" -- nonsense
check "unknown bench" 1 "usage: ./tributary bench" "$PATH" -- bench nonsense
check "build takes no options" 1 "takes no options" "$PATH" -- build --nonsense
for args in "demo" "stack" "bench" "bench hostile" "bench processor"; do
  # shellcheck disable=SC2086
  check "$args without influxd" 1 "influxdb" "$NOBIN" -- $args
done
check "bench gateway without gcc" 1 "these packages" "$NOBIN" -- bench gateway
check "build without java and mvn" 1 "openjdk-17-jdk-headless maven" "$NOJAVA" -- build
check "gateway without java and mvn" 1 "openjdk-17-jdk-headless maven" "$NOJAVA" -- gateway --help
if [[ ! -x /usr/sbin/mosquitto ]]; then
  check "bench agent without mosquitto" 1 "mosquitto" "$NOBIN" -- bench agent
fi

echo "launcher: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
