# shellcheck shell=sh
# Functions shared by the Galera pod scripts. Sourced, never run.
# Peers are addressed by their stable pod DNS names, never by IP address. Passwords never reach a command line:
# clients read them from a defaults file in RUN_DIR (tmpfs, mode 0600) or from MYSQL_PWD.

# The start script's view of this node, served by galera-agent.pl as GET /state (key=value lines).
STATE_FILE="$RUN_DIR/galera-state"
# While this file exists, the agent answers 503 to GET /writer (prestop-galera.sh).
# shellcheck disable=SC2034 # read by the scripts that source this file
DRAIN_MARKER="$RUN_DIR/draining"
# Written by reboot-cluster-galera.sh bootstrap: this node may bootstrap at the position it holds, without every
# peer answering.
# shellcheck disable=SC2034
BOOTSTRAP_APPROVAL="$RUN_DIR/bootstrap-approved"
# Written by probe-galera.sh the first time the server answers in this container: from then on, a server that does
# not answer is hung, not starting.
# shellcheck disable=SC2034
ANSWERED_MARKER="$RUN_DIR/server-answered"
# shellcheck disable=SC2034
POD_CNF="$RUN_DIR/pod.cnf"
SOCKET="$RUN_DIR/mysqld.sock"
GRASTATE="$DATA_DIR/grastate.dat"
# shellcheck disable=SC2034
ZERO_UUID=00000000-0000-0000-0000-000000000000
# Bounds every query of a peer's agent, so an unreachable peer never hangs a script.
AGENT_TIMEOUT_SECONDS=${AGENT_TIMEOUT_SECONDS:-2}
# shellcheck disable=SC2034
RUNBOOK="sh $SCRIPTS_DIR/reboot-cluster-galera.sh"

log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${0##*/}" "$*" >&2
}

ordinal() {
  printf '%s' "${POD_NAME##*-}"
}

member_host() {
  printf '%s-%s.%s.%s.svc.%s' "$MYSQL_STATEFULSET" "$1" "$MYSQL_SERVICE" "$POD_NAMESPACE" "$CLUSTER_DOMAIN"
}

# cnf_quote VALUE: VALUE as a double-quoted option-file string; the parser reads \\ and \" (and \n, \t, ...) as
# escapes, so a password with a backslash would otherwise become another password. A line break cannot be written.
cnf_quote() {
  case "$1" in
    *'
'* | *"$(printf '\r')"*)
      log "a configuration value contains a line break"
      return 1
      ;;
  esac
  printf '"%s"' "$(printf '%s' "$1" | sed 's/[\\"]/\\&/g')"
}

# local_sql QUERY: QUERY on the local server through the socket as the monitor user, tab-separated, no header,
# bounded; the password through the environment only.
local_sql() {
  MYSQL_PWD=$MYSQL_MONITOR_PASSWORD timeout "${SQL_TIMEOUT_SECONDS:-3}" mariadb --no-defaults --protocol=socket -S "$SOCKET" \
    -u "$MONITOR_USER" --connect-timeout=2 -N -B -e "$1"
}

# wsrep_status: the wsrep status variables of the local server as `name value` lines (names in lower case); exit
# status 1 when the server does not answer.
wsrep_status() {
  wsrep_rows=$(local_sql "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state', 'wsrep_local_state_comment', 'wsrep_ready', 'wsrep_cluster_status', 'wsrep_cluster_size', 'wsrep_cluster_state_uuid', 'wsrep_last_committed')") || return 1
  printf '%s\n' "$wsrep_rows" | awk '{ printf "%s %s\n", tolower($1), $2 }'
}

# status_value NAME: the value of NAME in wsrep_status output on stdin.
status_value() {
  awk -v name="$1" '$1 == name { print $2 }'
}

# grastate_value KEY: uuid, seqno or safe_to_bootstrap from grastate.dat; nothing when there is no file.
grastate_value() {
  [ -f "$GRASTATE" ] || return 0
  sed -n "s/^$1:[[:space:]]*//p" "$GRASTATE" | head -n 1
}

# agent_get HOST PATH: the body of the agent's answer on HOST to GET PATH, bounded; exit status 1 when it did not
# answer. Perl (perl-base is in the image) stands in for an HTTP client, which the image does not have.
agent_get() {
  # shellcheck disable=SC2016 # Perl's variables, not the shell's
  timeout "$((AGENT_TIMEOUT_SECONDS + 1))" perl -e '
    use strict; use IO::Socket::INET;
    my ($host, $port, $path, $timeout) = @ARGV;
    my $socket = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => "tcp", Timeout => $timeout) or exit 1;
    print $socket "GET $path HTTP/1.0\r\n\r\n";
    local $/;
    my $answer = <$socket>;
    defined $answer && $answer =~ m{\AHTTP/1\.[01] \d+[^\r\n]*\r\n.*?\r\n\r\n(.*)\z}s or exit 1;
    print $1;
  ' "$1" "$AGENT_PORT" "$2" "$AGENT_TIMEOUT_SECONDS"
}

# state_value KEY: KEY from key=value lines on stdin.
state_value() {
  sed -n "s/^$1=//p" | head -n 1
}

# write_state PHASE [KEY=VALUE...]: replaces the state the agent serves, atomically.
write_state() {
  {
    printf 'phase=%s\n' "$1"
    shift
    for pair in "$@"; do
      printf '%s\n' "$pair"
    done
  } >"$STATE_FILE.next"
  mv "$STATE_FILE.next" "$STATE_FILE"
}
