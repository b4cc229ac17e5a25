#!/usr/bin/perl
# The Galera agent: a sidecar answering, over HTTP/1.0 on AGENT_PORT, what HAProxy and the peers' start scripts need
# to know about this pod's node:
#   GET /state   200, key=value lines: phase (deciding|waiting|starting, from start-galera.sh; running once the
#                server answers), uuid and seqno (the server's live position when it answers, else the one the start
#                script published), safe_to_bootstrap, empty (1: never joined a cluster), server (1: the server
#                answers), galera (1: mariadbd listens on GALERA_PORT: it runs, answering or not yet, e.g. while it
#                waits for the members of its last primary component), primary (1: in a primary component).
#   GET /writer  200 iff the server is Synced (wsrep_local_state 4), ready, in the primary component, and the pod is
#                not draining (prestop-galera.sh); else 503. HAProxy's writer check.
#   GET /reader  the same. A draining pod stops within seconds, so new reads go elsewhere too.
#   GET /healthz 200 while the agent runs.
# Every request is served by a child process of its own (their number bounded), so a slow answer never holds up the
# others. The server is asked with one bounded query through the socket as the monitor user (the password through
# MYSQL_PWD), one query at a time: requests that arrive while a query runs take its result, so two HAProxies and the
# peers checking at once make one connection, well within the monitor user's max_user_connections. While the server
# does not answer, the agent logs why once, not at every check, and logs again when the reason changes or the server
# answers. Core modules of perl-base only.
use strict;
use warnings;
use IO::Socket::INET;
use Fcntl qw(:flock);
use POSIX qw(:sys_wait_h);

my $port = $ENV{AGENT_PORT} || 9200;
my $run_dir = $ENV{RUN_DIR} or die "RUN_DIR is not set\n";
my $socket_path = "$run_dir/mysqld.sock";
my $state_file = "$run_dir/galera-state";
my $drain_marker = "$run_dir/draining";
my $galera_port = $ENV{GALERA_PORT} || 4567;
# The last query's result, with a generation number; the lock file serializes the queries.
my $cache_file = "$run_dir/agent-status";
my $lock_file = "$run_dir/agent-status.lock";
# The query's stderr, and why the server did not answer at the last query ('' once it answers), for the log.
my $query_error_file = "$run_dir/agent-query.err";
my $logged_reason_file = "$run_dir/agent-unanswered";
# A check that takes longer than this is worth less than an answer: HAProxy's `timeout check` is 2 s.
my $query_timeout_seconds = 1.5;
my $request_timeout_seconds = 2;
my $max_children = 16;

my $children = 0;
$SIG{CHLD} = sub {
  while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
    $children-- if $children > 0;
  }
};
# PID 1 of a container ignores SIGTERM unless it handles it.
$SIG{TERM} = sub { exit 0 };
$SIG{PIPE} = 'IGNORE';

my $listener = IO::Socket::INET->new(LocalAddr => '0.0.0.0', LocalPort => $port, Proto => 'tcp', Listen => 128, ReuseAddr => 1)
  or die "galera-agent: cannot listen on port $port: $!\n";
print STDERR "galera-agent: listening on port $port\n";

while (1) {
  my $client = $listener->accept;
  next unless $client;    # interrupted by SIGCHLD
  if ($children >= $max_children) {
    close $client;
    next;
  }
  my $pid = fork;
  if (!defined $pid) {
    close $client;
    next;
  }
  if ($pid == 0) {
    close $listener;
    $SIG{CHLD} = 'DEFAULT';
    serve($client);
    exit 0;
  }
  $children++;
  close $client;
}

sub serve {
  my ($client) = @_;
  local $SIG{ALRM} = sub { exit 0 };
  alarm($request_timeout_seconds + $query_timeout_seconds + 1);
  my $request = '';
  while ($request !~ /\r?\n\r?\n/ && length($request) < 4096) {
    my $read = sysread($client, $request, 4096, length $request);
    last unless $read;
  }
  my ($path) = $request =~ m{\AGET (\S+) HTTP/1\.[01]\r?\n};
  if (!defined $path) {
    respond($client, 400, "expected GET <path> HTTP/1.0\n");
  } elsif ($path eq '/healthz') {
    respond($client, 200, "ok\n");
  } elsif ($path eq '/state') {
    respond($client, 200, state_text());
  } elsif ($path eq '/writer' || $path eq '/reader') {
    my ($ok, $reason) = synced();
    if ($ok && -e $drain_marker) {
      ($ok, $reason) = (0, 'draining: the pod is stopping');
    }
    respond($client, $ok ? 200 : 503, "$reason\n");
  } else {
    respond($client, 404, "unknown path $path\n");
  }
  close $client;
}

sub respond {
  my ($client, $code, $body) = @_;
  my %reasons = (200 => 'OK', 400 => 'Bad Request', 404 => 'Not Found', 503 => 'Service Unavailable');
  print $client "HTTP/1.0 $code $reasons{$code}\r\nContent-Type: text/plain\r\nContent-Length: " . length($body) . "\r\nConnection: close\r\n\r\n$body";
}

# The wsrep status of the local server (lower-case names), or undef when it does not answer in time: the result of a
# query that ended after this request arrived, its own or one that another request ran meanwhile.
sub wsrep_status {
  my $before = read_cache();
  open(my $lock, '>>', $lock_file) or return (query_status())[0];
  flock($lock, LOCK_EX) or return (query_status())[0];
  my $current = read_cache();
  if ($current && (!$before || $current->{generation} != $before->{generation})) {
    close $lock;
    return $current->{status};
  }
  my ($status, $reason) = query_status();
  write_cache(($current ? $current->{generation} : 0) + 1, $status);
  log_reason_change($reason);
  close $lock;
  return $status;
}

# Logs why the server does not answer when that differs from the last query's reason, and that it answers again.
sub log_reason_change {
  my ($reason) = @_;
  my $logged = '';
  if (open(my $file, '<', $logged_reason_file)) {
    $logged = <$file> // '';
    close $file;
  }
  return if $reason eq $logged;
  print STDERR $reason eq '' ? "galera-agent: the server answers\n" : "galera-agent: the server does not answer: $reason\n";
  open(my $file, '>', $logged_reason_file) or return;
  print $file $reason;
  close $file;
}

sub read_cache {
  open(my $file, '<', $cache_file) or return undef;
  my ($generation, $answered) = split / /, (<$file> // ''), 2;
  return undef unless defined $answered && $generation =~ /\A\d+\z/;
  my %status;
  while (my $line = <$file>) {
    chomp $line;
    my ($name, $value) = split /\t/, $line, 2;
    $status{$name} = $value // '';
  }
  close $file;
  return { generation => $generation, status => $answered =~ /\A1/ ? \%status : undef };
}

sub write_cache {
  my ($generation, $status) = @_;
  open(my $file, '>', "$cache_file.next") or return;
  print $file "$generation " . ($status ? 1 : 0) . "\n";
  print $file map { "$_\t$status->{$_}\n" } sort keys %$status if $status;
  close $file;
  rename "$cache_file.next", $cache_file;
}

# The server's wsrep status, or undef and why it did not answer.
sub query_status {
  return (undef, "no socket at $socket_path") unless -S $socket_path;
  local $ENV{MYSQL_PWD} = $ENV{MYSQL_MONITOR_PASSWORD} // '';
  my $user = $ENV{MONITOR_USER} || 'monitor';
  my $query = "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state', 'wsrep_local_state_comment', 'wsrep_ready', "
    . "'wsrep_cluster_status', 'wsrep_cluster_state_uuid', 'wsrep_last_committed')";
  my $pid = open(my $output, '-|');
  return (undef, "cannot run mariadb: $!") unless defined $pid;
  if ($pid == 0) {
    open(STDERR, '>', $query_error_file) or exit 126;
    exec('timeout', $query_timeout_seconds, 'mariadb', '--no-defaults', '--protocol=socket', "--socket=$socket_path", "--user=$user",
      '--connect-timeout=1', '--batch', '--skip-column-names', "--execute=$query")
      or exit 127;
  }
  my %status;
  while (my $line = <$output>) {
    chomp $line;
    my ($name, $value) = split /\t/, $line, 2;
    $status{lc $name} = $value // '' if defined $name;
  }
  close $output;
  my $exit = $? >> 8;
  return (\%status, '') if $? == 0 && exists $status{wsrep_ready};
  my $error = '';
  if (open(my $file, '<', $query_error_file)) {
    $error = <$file> // '';
    close $file;
  }
  chomp $error;
  return (undef, $error) if $error ne '';
  return (undef, "no answer within ${query_timeout_seconds} s") if $exit == 124;
  return (undef, $? == 0 ? 'no wsrep status (wsrep is off)' : "mariadb exited with $exit");
}

sub synced {
  my $status = wsrep_status();
  return (0, 'the server does not answer') unless $status;
  my $state = $status->{wsrep_local_state} // '';
  my $comment = $status->{wsrep_local_state_comment} // '';
  return (0, "not synced: wsrep_local_state $state ($comment)") unless $state eq '4';
  return (0, 'not ready: wsrep_ready ' . ($status->{wsrep_ready} // '')) unless ($status->{wsrep_ready} // '') eq 'ON';
  my $cluster = $status->{wsrep_cluster_status} // '';
  return (0, "not in the primary component: wsrep_cluster_status $cluster") unless $cluster eq 'Primary';
  return (1, 'synced');
}

sub state_text {
  my %state;
  if (open(my $file, '<', $state_file)) {
    while (my $line = <$file>) {
      chomp $line;
      $state{$1} = $2 if $line =~ /\A([a-z_]+)=(.*)\z/;
    }
    close $file;
  }
  my $status = wsrep_status();
  $state{server} = $status ? 1 : 0;
  $state{galera} = galera_listening() ? 1 : 0;
  $state{primary} = $status && ($status->{wsrep_cluster_status} // '') eq 'Primary' ? 1 : 0;
  if ($status) {
    $state{phase} = 'running';
    my $uuid = $status->{wsrep_cluster_state_uuid} // '';
    my $seqno = $status->{wsrep_last_committed} // '';
    if ($uuid =~ /\A[0-9a-f-]{36}\z/ && $uuid ne '00000000-0000-0000-0000-000000000000' && $seqno =~ /\A\d+\z/) {
      @state{qw(uuid seqno empty)} = ($uuid, $seqno, 0);
    }
  }
  return join '', map { "$_=" . ($state{$_} // '') . "\n" } qw(phase uuid seqno safe_to_bootstrap empty server galera primary);
}

# Whether a socket of this pod's network namespace (the agent shares it with mariadbd) listens on GALERA_PORT; read
# from /proc rather than by connecting, which Galera would log as a failed handshake.
sub galera_listening {
  my $port = sprintf('%04X', $galera_port);
  for my $table ('/proc/net/tcp', '/proc/net/tcp6') {
    open(my $file, '<', $table) or next;
    while (my $line = <$file>) {
      # local_address is ADDRESS:PORT in hex; state 0A is LISTEN.
      return 1 if $line =~ /^\s*\d+:\s+[0-9A-F]+:$port\s+[0-9A-F]+:[0-9A-F]+\s+0A\s/;
    }
    close $file;
  }
  return 0;
}
