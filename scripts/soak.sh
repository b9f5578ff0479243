#!/usr/bin/env bash
# soak.sh: a long bench against the embedded pool in another process, recording both
# processes' resident memory (RSS) as it goes.
#
# It builds authbench, starts `authbench emulate` (fixtures/pool.yaml) on a loopback
# port, provisions a user set for a mix of flows with `authbench bench provision`,
# then runs `authbench bench` for SOAK_SIGNINS sign-ins at SOAK_RATE against it. Every
# SOAK_EVERY seconds it appends both processes' RSS (VmRSS from /proc, Linux) to
# rss.csv in the run directory, and at the end prints each curve's start, after
# warm-up (the first sample at least SOAK_WARMUP seconds in), end and peak after
# warm-up: flat curves after warm-up mean memory does not grow with the run's length.
#
#   make soak                                  # 1,000,000 sign-ins (about 48 min at 350/s)
#   SOAK_SIGNINS=20000 scripts/soak.sh         # a short check
#
# Settings (environment):
#   SOAK_SIGNINS  sign-ins in all (1000000)
#   SOAK_RATE     sign-ins started per second (350)
#   SOAK_MIX      the flow mix (srp=70,password=20,refresh=10)
#   SOAK_USERS    users per flow (1000): a user signs in once at a time, and a slow
#                 moment must not leave sign-ins waiting for one
#   SOAK_EVERY    seconds between RSS samples (10)
#   SOAK_WARMUP   seconds of warm-up; by default twice the time every user of the least
#                 frequent flow needs to sign in 64 times (the pool keeps up to 64
#                 refresh tokens and 50 sign-in events per user, so its heap grows
#                 until those fill), at least 240 s (the sessions' 3-minute lifetime)
#   SOAK_ADDR     the pool's loopback address (127.0.0.1:19229)
#   SOAK_DIR      the run directory ($TMPDIR/authbench-soak-<UTC time>)
set -euo pipefail

signins=${SOAK_SIGNINS:-1000000}
rate=${SOAK_RATE:-350}
mix=${SOAK_MIX:-srp=70,password=20,refresh=10}
users=${SOAK_USERS:-1000}
every=${SOAK_EVERY:-10}
addr=${SOAK_ADDR:-127.0.0.1:19229}
dir=${SOAK_DIR:-${TMPDIR:-/tmp}/authbench-soak-$(date -u +%Y%m%dT%H%M%SZ)}
pool=us-east-1_AuthBench1
client=authbenchpublicclient01

for v in "signins=$signins" "rate=$rate" "users=$users" "every=$every" ${SOAK_WARMUP:+"warmup=$SOAK_WARMUP"}; do
	case ${v#*=} in
	'' | *[!0-9]* | 0) echo "soak: ${v%%=*} must be a positive whole number, not '${v#*=}'" >&2; exit 2 ;;
	esac
done
if [ ! -r /proc/self/status ]; then
	echo "soak: needs /proc (Linux) to read RSS" >&2
	exit 2
fi
case $addr in
127.*:* | localhost:*) ;;
*) echo "soak: SOAK_ADDR must be a loopback address, not $addr" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
bin=$dir/authbench
(cd "$root" && ${GO:-go} build -o "$bin" ./cmd/authbench)

# The embedded pool takes unsigned Admin calls on loopback; the SDK still wants some
# credentials to sign with.
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-soak} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-soak} AWS_REGION=us-east-1

emu_pid= bench_pid=
cleanup() {
	[ -n "$bench_pid" ] && kill "$bench_pid" 2>/dev/null || true
	[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null || true
	wait 2>/dev/null || true
}
trap cleanup EXIT

"$bin" emulate --addr "$addr" --fixture "$root/fixtures/pool.yaml" --log-level warn >"$dir/emulate.log" 2>&1 &
emu_pid=$!
host=${addr%:*} port=${addr##*:}
for _ in $(seq 100); do
	if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then break; fi
	kill -0 "$emu_pid" 2>/dev/null || { echo "soak: authbench emulate exited:" >&2; cat "$dir/emulate.log" >&2; exit 1; }
	sleep 0.1
done
endpoint=http://$addr

flows=$(echo "$mix" | sed 's/=[0-9]*//g')
"$bin" bench provision --endpoint "$endpoint" --pool-id "$pool" --client-id "$client" \
	--mix "$flows" --users "$users" --out "$dir/users.json" >"$dir/provision.log" 2>&1 ||
	{ echo "soak: provisioning failed:" >&2; cat "$dir/provision.log" >&2; exit 1; }

# The default warm-up: twice the seconds the users of the least frequent flow that
# keeps per-user records (every flow but refresh, which issues no refresh token and
# records no sign-in event) need to sign in 64 times each, at their share of the rate.
warmup=${SOAK_WARMUP:-$(echo "$mix" | awk -F, -v users="$users" -v rate="$rate" '{
	for (i = 1; i <= NF; i++) {
		n = split($i, kv, "="); w = (n > 1) ? kv[2] + 0 : 1
		total += w; if (kv[1] != "refresh" && (min == "" || w < min)) min = w
	}
	t = (min == "" || min <= 0) ? 0 : 2 * 64 * users * total / (rate * min)
	printf "%d", (t < 240) ? 240 : t
}')}

# The schedule is SOAK_SIGNINS starts at SOAK_RATE: its duration in whole seconds.
duration=$(( (signins + rate - 1) / rate ))s
[ "$warmup" -lt "${duration%s}" ] || echo "soak: the warm-up (${warmup}s) is not shorter than the run ($duration): raise SOAK_SIGNINS or lower SOAK_USERS" >&2
echo "soak: $signins sign-ins ($mix) at $rate/s for $duration against the embedded pool at $endpoint; run directory $dir"
"$bin" bench --endpoint "$endpoint" --pool-id "$pool" --users-file "$dir/users.json" \
	--rate "$rate/s" --duration "$duration" --mix "$mix" --out "$dir/bench" --status-every 60s \
	>"$dir/bench.txt" 2>"$dir/bench.log" &
bench_pid=$!

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo ""; }
echo "elapsed_s,bench_rss_kib,emulate_rss_kib" >"$dir/rss.csv"
t0=$(date +%s)
while kill -0 "$bench_pid" 2>/dev/null; do
	b=$(rss "$bench_pid") e=$(rss "$emu_pid")
	[ -n "$b" ] && echo "$(( $(date +%s) - t0 )),$b,$e" >>"$dir/rss.csv"
	# Sleep until the next multiple of SOAK_EVERY seconds, waking early when the
	# bench ends.
	next=$(( ($(date +%s) - t0) / every * every + every ))
	while [ $(( $(date +%s) - t0 )) -lt "$next" ] && kill -0 "$bench_pid" 2>/dev/null; do
		sleep 0.5
	done
done
status=0
wait "$bench_pid" || status=$?
bench_pid=
echo "$(( $(date +%s) - t0 )),,$(rss "$emu_pid")" >>"$dir/rss.csv"
kill "$emu_pid" 2>/dev/null || true
wait "$emu_pid" 2>/dev/null || true
emu_pid=

cat "$dir/bench.txt"
awk -F, -v warmup="$warmup" '
	NR == 1 { next }
	function mib(k) { return sprintf("%.1f MiB", k / 1024) }
	function row(name, col,    s) {
		s = sprintf("  %-8s start %s (%ss)", name, mib(first[col]), firstT[col])
		if (warmT[col] != "") s = s sprintf(", after warm-up %s (%ss)", mib(warm[col]), warmT[col])
		s = s sprintf(", end %s (%ss)", mib(last[col]), lastT[col])
		if (warmT[col] != "") s = s sprintf(", peak after warm-up %s, growth after warm-up %+.1f MiB", mib(peak[col]), (last[col] - warm[col]) / 1024)
		print s
	}
	{
		for (col = 2; col <= 3; col++) {
			if ($col == "") continue
			if (first[col] == "") { first[col] = $col; firstT[col] = $1 }
			if (warmT[col] == "" && $1 >= warmup) { warm[col] = $col; warmT[col] = $1 }
			if (warmT[col] != "" && $col > peak[col]) peak[col] = $col
			last[col] = $col; lastT[col] = $1
		}
	}
	END {
		print "soak: RSS every '"$every"'s in '"$dir/rss.csv"' (warm-up " warmup "s)"
		row("bench", 2)
		row("emulate", 3)
	}' "$dir/rss.csv"
exit "$status"
