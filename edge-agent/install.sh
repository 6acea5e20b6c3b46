#!/usr/bin/env bash
# Installs (or removes) the Tributary edge agent on a Debian / Raspberry Pi OS device.
#
#   sudo ./install.sh [--jar PATH] [--config FILE] [--password-file FILE] [--java PATH]
#                                                                        install and start the systemd service
#   ./install.sh --prefix DIR --no-systemd [...]                         install under DIR only (tests, packaging)
#   sudo ./install.sh --uninstall [--purge]                              remove it (--purge: also config and outbox)
#
# Layout (under DIR with --prefix):
#   /opt/tributary-agent/tributary-edge-agent.jar   the agent
#   /opt/tributary-agent/agent.jsa                  AppCDS archive made here, for this JVM (faster start, less RSS)
#   /opt/tributary-agent/agent.classlist            the classes in it (from the training run)
#   /opt/tributary-agent/jvm.options                the JVM flags the service runs with (one per line)
#   /etc/tributary/agent.yaml                       the config (kept if it exists; replaced by --config FILE)
#   /etc/tributary/agent.secret                     the device secret (kept if it exists; replaced by --password-file)
# Both may hold a secret: they are installed (and on every run re-set to) mode 0640, owner root, group tributary-agent
# (the service's group), so the service can read them and no other user can.
#   /var/lib/tributary-agent/                       the outbox and batch sequence (the service's StateDirectory)
#   /etc/systemd/system/tributary-agent.service     the unit, running as user tributary-agent
# Needs: java 17 (openjdk-17-jre-headless).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix=""
systemd=1
uninstall=0
purge=0
jar=""
config=""
password_file=""
java_bin="${JAVA:-$(command -v java || true)}"
user="tributary-agent"
unit_name="tributary-agent.service"

die() { echo "install.sh: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
    --no-systemd) systemd=0; shift ;;
    --uninstall) uninstall=1; shift ;;
    --purge) purge=1; shift ;;
    --jar) jar="${2:?--jar needs a file}"; shift 2 ;;
    --config) config="${2:?--config needs a file}"; shift 2 ;;
    --password-file) password_file="${2:?--password-file needs a file}"; shift 2 ;;
    --password|--password=*) die "--password is not accepted (a secret on the command line is visible in ps): put it in a file and pass --password-file FILE" ;;
    --java) java_bin="${2:?--java needs a path}"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

if [[ -n "$prefix" ]]; then
  mkdir -p "$prefix"
  prefix="$(cd "$prefix" && pwd)"
fi
opt="$prefix/opt/tributary-agent"
etc="$prefix/etc/tributary"
state="$prefix/var/lib/tributary-agent"
unit="$prefix/etc/systemd/system/$unit_name"

# The small-footprint flags (see STACK.md, "Paho agent", and README.md "Where the RSS goes"): serial GC, small heap
# and code cache, C1 only. -Xmn1m: a 1 MB young generation (the default here is 2.4 MB, all of it resident once it
# has cycled); at the agent's ~150 KB/s of garbage that is one young GC (< 1 ms) every few seconds.
# -XX:CompileThresholdScaling=5: C1 compiles a method after 5x the default invocations, so the start-up-only code
# (config, class loading) is interpreted and not compiled: a smaller code cache and compiler arena.
JVM_FLAGS=(-XX:+UseSerialGC -Xms8m -Xmx16m -Xmn1m -Xss256k -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1
  -XX:CompileThresholdScaling=5 -XX:ReservedCodeCacheSize=12m -XX:MaxMetaspaceSize=24m -XX:MaxDirectMemorySize=4m
  -XX:-UsePerfData)

if [[ $systemd -eq 1 && -z "$prefix" && $(id -u) -ne 0 ]]; then
  die "run as root (or use --prefix DIR --no-systemd)"
fi

if [[ $uninstall -eq 1 ]]; then
  if [[ $systemd -eq 1 ]] && command -v systemctl >/dev/null; then
    systemctl disable --now "$unit_name" 2>/dev/null || true
  fi
  rm -f "$unit"
  rm -rf "$opt"
  if [[ $purge -eq 1 ]]; then
    rm -rf "$etc/agent.yaml" "$etc/agent.secret" "$state"
    rmdir "$etc" 2>/dev/null || true
    if [[ $systemd -eq 1 ]] && id "$user" >/dev/null 2>&1; then userdel "$user" || true; fi
  fi
  [[ $systemd -eq 1 ]] && command -v systemctl >/dev/null && systemctl daemon-reload || true
  if [[ $purge -eq 1 ]]; then
    echo "install.sh: removed the agent, its config and its outbox"
  else
    echo "install.sh: removed the agent (config and outbox kept; --purge removes them)"
  fi
  exit 0
fi

# ---- install
if [[ -z "$jar" ]]; then
  for candidate in "$here/tributary-edge-agent.jar" "$here/target/tributary-edge-agent.jar"; do
    [[ -f "$candidate" ]] && { jar="$candidate"; break; }
  done
fi
[[ -n "$jar" && -f "$jar" ]] || die "no agent jar found: build it (mvn -pl edge-agent -am package) or pass --jar PATH"
[[ -n "$java_bin" && -x "$java_bin" ]] || die "java not found: apt-get install -y openjdk-17-jre-headless (or --java PATH)"
java_version="$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[[ "${java_version%%.*}" -ge 17 ]] 2>/dev/null || die "java 17 or newer needed, found '$java_version' at $java_bin"
[[ -z "$config" || -f "$config" ]] || die "config file '$config' does not exist"
[[ -z "$password_file" || -f "$password_file" ]] || die "password file '$password_file' does not exist"
# glibc keeps freed malloc memory (the C1 compiler's arenas peak at start-up); the JVM returns it to the OS every
# 10 s with this flag, which JDK 17 has from 17.0.9 on (older builds refuse unknown -XX flags, so probe first).
if "$java_bin" -XX:TrimNativeHeapInterval=10000 -version >/dev/null 2>&1; then
  JVM_FLAGS+=(-XX:TrimNativeHeapInterval=10000)
fi

if [[ $systemd -eq 1 ]] && ! id "$user" >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir "$state" --shell /usr/sbin/nologin "$user"
  # sensors behind group permissions (i2c, gpio) are readable to these groups on Raspberry Pi OS
  for g in gpio i2c spi; do getent group "$g" >/dev/null && usermod -a -G "$g" "$user"; done
fi

# A file that may hold a secret: mode 0640; with systemd owned by root and readable by the service's group only.
protect_secret() {
  chmod 0640 "$1"
  if [[ $systemd -eq 1 ]]; then chown "root:$user" "$1"; fi
}

mkdir -p "$opt" "$etc" "$state" "$(dirname "$unit")"
install -m 0644 "$jar" "$opt/tributary-edge-agent.jar"
printf '%s\n' "${JVM_FLAGS[@]}" > "$opt/jvm.options"

# umask 027: no moment in which a copied config or secret is readable by other users
if [[ -n "$config" ]]; then
  (umask 027; install -m 0640 "$config" "$etc/agent.yaml")
elif [[ ! -f "$etc/agent.yaml" ]]; then
  (umask 027; sed -e "s#/etc/tributary/#$etc/#g" -e "s#/var/lib/tributary-agent#$state#g" \
    -e "s#id: my-pi#id: $(hostname -s)#" "$here/agent.example.yaml" > "$etc/agent.yaml")
  echo "install.sh: wrote $etc/agent.yaml: set device.id and mqtt.uri"
fi
protect_secret "$etc/agent.yaml"
if [[ -n "$password_file" ]]; then
  (umask 027; install -m 0640 "$password_file" "$etc/agent.secret")
elif [[ ! -f "$etc/agent.secret" ]]; then
  (umask 027; : > "$etc/agent.secret")
  echo "install.sh: put the device secret (from the gateway's devices CLI) into $etc/agent.secret"
fi
protect_secret "$etc/agent.secret"

# Validate the config now: a bad one fails the install with the key named (exit code 2).
"$java_bin" -jar "$opt/tributary-edge-agent.jar" --config "$etc/agent.yaml" --check-config >/dev/null

# AppCDS: a training run (the agent against a loopback MQTT peer, see CdsTraining) lists the classes the agent loads;
# a static archive of exactly those, for this exact JVM and jar, replaces the JDK's default one. Static rather than
# a dynamic archive on top of the JDK's: the JDK's archive maps ~100 classes the agent never uses (1.6 MB of RSS).
rm -f "$opt/agent.jsa" "$opt/agent.classlist"
if "$java_bin" "${JVM_FLAGS[@]}" -Xshare:off -XX:DumpLoadedClassList="$opt/agent.classlist" \
    -jar "$opt/tributary-edge-agent.jar" --config "$etc/agent.yaml" --cds-training >/dev/null 2>&1 \
    && "$java_bin" "${JVM_FLAGS[@]}" -Xshare:dump -XX:SharedClassListFile="$opt/agent.classlist" \
    -XX:SharedArchiveFile="$opt/agent.jsa" -jar "$opt/tributary-edge-agent.jar" >/dev/null 2>&1 \
    && [[ -s "$opt/agent.jsa" ]]; then
  chmod 0644 "$opt/agent.jsa"
  echo "-XX:SharedArchiveFile=$opt/agent.jsa" >> "$opt/jvm.options"
else
  echo "install.sh: could not build the AppCDS archive; the agent runs without it" >&2
  rm -f "$opt/agent.jsa"
fi

flags="$(tr '\n' ' ' < "$opt/jvm.options")"
cat > "$unit" <<UNIT
[Unit]
Description=Tributary edge agent (sensors -> outbox -> MQTT)
Documentation=file://$opt/README.md
After=network-online.target
Wants=network-online.target

[Service]
User=$user
Group=$user
ExecStart=$java_bin ${flags}-jar $opt/tributary-edge-agent.jar --config $etc/agent.yaml
Restart=always
RestartSec=5
# exit code 2 = invalid config: restarting cannot help
RestartPreventExitStatus=2
StateDirectory=tributary-agent
StateDirectoryMode=0750
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
ReadWritePaths=$state
# read sensors: sysfs and /proc stay readable under ProtectSystem
MemoryMax=96M

[Install]
WantedBy=multi-user.target
UNIT
[[ -f "$here/README.md" ]] && install -m 0644 "$here/README.md" "$opt/README.md"

if [[ $systemd -eq 1 ]]; then
  chown -R "$user:$user" "$state"
  systemctl daemon-reload
  systemctl enable --now "$unit_name"
  echo "install.sh: installed and started $unit_name (journalctl -u $unit_name -f)"
else
  echo "install.sh: installed under ${prefix:-/} (no systemd); run: $java_bin $flags-jar $opt/tributary-edge-agent.jar --config $etc/agent.yaml"
fi
