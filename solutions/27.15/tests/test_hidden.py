"""Hidden tests for exercise 27.15 (a dead-letter queue that retries on its own).

The probe builds the learner's queue on a fake clock and feeds it batches of records whose fate is
scripted here: for each record, whether its first and its second processing succeed, and, in
part (d), the moment a retry is interrupted. It reports where every record is after each step.
What should happen is decided here; in part (d) the scripts are drawn at random, with a fixed
seed, by this trusted test and sent to the probe as data.
"""

import random

from autograder.testing import expect, graded

MINUTE = 60
ERRORS = ["ValueError", "ConnectionError", "RuntimeError"]  # the error of attempt 1, 2, 3+


# ---- probes: run in the learner's worker, return plain data -----------------------------------------
def dlq_script(ns, delay, steps, outcomes, compact=False):
    """steps: ["process", t, [ids], source?] or ["reprocess", t, crash_at?]; outcomes: id -> ["ok"|"fail", ...]
    for the record's 1st, 2nd, ... processing (missing: "ok"). crash_at=k: the k-th call of fn in that
    step raises a BaseException (an interruption) instead of running."""

    class Interrupted(BaseException):
        pass

    now = [0.0]
    queue = ns.ReprocessingDLQ(retry_delay_minutes=delay, clock=lambda: now[0])
    calls, succeeded = {}, []
    crash = {"at": None, "count": 0}
    errors = [ValueError, ConnectionError, RuntimeError]

    def fn(record):
        rid = record["id"]
        if crash["at"] is not None:
            crash["count"] += 1
            if crash["count"] == crash["at"]:
                raise Interrupted()
        n = calls.get(str(rid), 0) + 1
        calls[str(rid)] = n
        plan = outcomes.get(str(rid), [])
        if n <= len(plan) and plan[n - 1] == "fail":
            raise errors[min(n, 3) - 1](f"record {rid} failed on attempt {n}")
        succeeded.append(rid)
        return {"id": rid, "enriched": True}

    def view(entries):
        entries = list(entries)
        if compact:
            return [e.record["id"] for e in entries]
        return [{"id": e.record["id"], "attempts": e.attempts, "error_type": e.error_type, "error": e.error,
                 "source": e.source, "first_failed_at": e.first_failed_at, "last_failed_at": e.last_failed_at}
                for e in entries]

    seen = []
    for step in steps:
        now[0] = float(step[1])
        interrupted = False
        if step[0] == "process":
            batch = [{"id": rid, "payload": f"event-{rid}"} for rid in step[2]]
            out = queue.process(batch, fn, source=step[3]) if len(step) > 3 else queue.process(batch, fn)
        else:
            crash["at"], crash["count"] = (step[2] if len(step) > 2 else None), 0
            try:
                out = queue.reprocess_due(fn)
            except Interrupted:
                interrupted, out = True, []
            finally:
                crash["at"] = None
        snapshot = {"interrupted": interrupted, "queue": view(queue.entries),
                    "permanent": view(queue.permanent_failures), "succeeded": list(succeeded)}
        if not compact:
            snapshot["returned"] = [r.get("id") if isinstance(r, dict) else repr(r)[:30] for r in list(out)]
            snapshot["calls"] = dict(calls)
        seen.append(snapshot)
    return seen


def dlq_scenarios(ns, scenarios):
    return [dlq_script(ns, s["delay"], s["steps"], s["outcomes"], True) for s in scenarios]


def run(sub, delay, steps, outcomes):
    return sub.run(dlq_script, delay, steps, {str(k): v for k, v in outcomes.items()})


def ids(entries):
    return [e["id"] for e in entries]


# ---- (a) --------------------------------------------------------------------------------------------
@graded("a", points=1, hint="A record whose fn raises goes into the queue and the batch goes on; process "
                            "returns the successes' results in input order.")
def test_failed_records_are_parked_and_the_batch_goes_on(sub):
    got = run(sub, 30, [["process", 1000, [1, 2, 3, 4, 5, 6]]], {2: ["fail"], 5: ["fail"]})[0]
    expect(got["calls"] == {str(i): 1 for i in range(1, 7)},
           f"your process called fn this many times per record: {got['calls']} (each record once)")
    expect(got["returned"] == [1, 3, 4, 6],
           f"process returned the results of records {got['returned']}; records 2 and 5 failed")
    expect(ids(got["queue"]) == [2, 5], f"after the batch, your queue holds records {ids(got['queue'])}")
    expect(got["permanent"] == [], "a record that failed once should not be in the permanent store yet")


@graded("a", points=1, hint="Park each failure through put(): the clock's time, attempts=1, the error's type "
                            "and message, and the source passed to process.")
def test_parked_records_carry_their_error_and_time(sub):
    got = run(sub, 30, [["process", 1000, [1, 2]], ["process", 1300, [3], "interactions"]],
              {1: ["fail"], 3: ["fail"]})[-1]
    expect(ids(got["queue"]) == [1, 3], f"your queue holds records {ids(got['queue'])}")
    for entry, at, source in zip(got["queue"], [1000, 1300], ["", "interactions"]):
        name = f"record {entry['id']}"
        expect(entry["attempts"] == 1, f"{name} failed once, but its entry says attempts={entry['attempts']}")
        expect(entry["first_failed_at"] == at and entry["last_failed_at"] == at,
               f"{name} failed at t={at} on the injected clock; its entry says {entry['first_failed_at']}")
        expect(entry["error_type"] == "ValueError" and entry["error"] == f"record {entry['id']} failed on attempt 1",
               f"{name}'s entry has error_type={entry['error_type']!r}, error={entry['error']!r}")
        expect(entry["source"] == source, f"{name}'s entry has source={entry['source']!r}")


# ---- (b) --------------------------------------------------------------------------------------------
@graded("b", points=1, hint="A record is due only once retry_delay_minutes (minutes; the clock counts seconds) "
                            "have passed since it failed; nothing else is retried.")
def test_nothing_is_retried_before_the_delay(sub):
    steps = [["process", 0, [1]], ["reprocess", 29 * MINUTE + 59], ["process", 29 * MINUTE + 59, [2]]]
    got = run(sub, 30, steps, {1: ["fail", "ok"], 2: ["fail", "ok"]})
    for snapshot, when in zip(got[1:], ["reprocess_due", "process"]):
        expect(snapshot["calls"].get("1") == 1,
               f"your {when} retried record 1 before its delay of 30 minutes had passed")
        expect(1 in ids(snapshot["queue"]), f"after {when}, 29 min 59 s after record 1 failed, it is no longer queued")
    expect(got[1]["returned"] == [], f"reprocess_due returned results for records {got[1]['returned']}, but none was due")


@graded("b", points=1, hint="At retry_delay_minutes after the failure (or later) the record is retried; a "
                            "success leaves the queue and its result is returned.")
def test_due_records_are_retried_and_successes_leave_the_queue(sub):
    steps = [["process", 0, [1]], ["process", 10 * MINUTE, [2]], ["reprocess", 30 * MINUTE], ["reprocess", 40 * MINUTE]]
    got = run(sub, 30, steps, {1: ["fail", "ok"], 2: ["fail", "ok"]})
    at30, at40 = got[2], got[3]
    expect(at30["calls"].get("1") == 2, "30 minutes after record 1 failed (delay 30), your reprocess_due did not retry it")
    expect(at30["calls"].get("2") == 1, "your reprocess_due retried record 2 only 20 minutes after it failed (delay 30)")
    expect(at30["returned"] == [1], f"at 30 min your reprocess_due returned the results of records {at30['returned']}")
    expect(ids(at30["queue"]) == [2], f"at 30 min your queue holds records {ids(at30['queue'])}")
    expect(at40["returned"] == [2] and ids(at40["queue"]) == [],
           f"at 40 min your reprocess_due returned {at40['returned']} and left {ids(at40['queue'])} in the queue")
    expect(at40["permanent"] == [], "records that succeeded on their retry should not be in the permanent store")
    got = run(sub, 0.5, [["process", 100, [7]], ["reprocess", 130]], {7: ["fail", "ok"]})
    expect(got[1]["returned"] == [7], "with retry_delay_minutes=0.5, your queue did not retry a record 30 s after it failed")


@graded("b", points=1, hint="process() first calls reprocess_due(fn) by itself, then handles the new batch.")
def test_process_retries_due_records_on_its_own(sub):
    steps = [["process", 0, [1, 2]], ["process", 45 * MINUTE, [3, 4]]]
    got = run(sub, 30, steps, {1: ["fail", "ok"], 3: ["fail"]})[1]
    expect(got["calls"].get("1") == 2, "your process() did not retry record 1, which was due")
    expect(sorted(got["returned"]) == [1, 4],
           f"process() returned the results of records {got['returned']}: record 1 succeeded on its retry and 4 was new")
    expect(ids(got["queue"]) == [3], f"after the second batch your queue holds records {ids(got['queue'])}")


# ---- (c) --------------------------------------------------------------------------------------------
@graded("c", points=1, hint="A due record that fails again leaves the queue for permanent_failures, with "
                            "attempts=2, the new error and the time of the second failure.")
def test_a_record_failing_again_moves_to_the_permanent_store(sub):
    steps = [["process", 0, [1, 2]], ["reprocess", 30 * MINUTE]]
    got = run(sub, 30, steps, {1: ["fail", "fail"], 2: ["fail", "ok"]})[1]
    expect(1 not in ids(got["queue"]), "record 1 failed its retry, but it is still in your queue")
    expect(ids(got["permanent"]) == [1], f"your permanent store holds records {ids(got['permanent'])}")
    entry = got["permanent"][0]
    expect(entry["attempts"] == 2, f"record 1 failed twice, but its permanent entry says attempts={entry['attempts']}")
    expect(entry["error_type"] == ERRORS[1] and entry["error"] == "record 1 failed on attempt 2",
           f"record 1's permanent entry keeps error_type={entry['error_type']!r}, error={entry['error']!r}: "
           "it should hold the error of the retry")
    expect(entry["first_failed_at"] == 0 and entry["last_failed_at"] == 30 * MINUTE,
           f"record 1 failed at t=0 and again at t={30 * MINUTE}; its permanent entry says "
           f"first_failed_at={entry['first_failed_at']}, last_failed_at={entry['last_failed_at']}")


@graded("c", points=1, hint="Nothing in the permanent store is retried automatically, however long you wait.")
def test_permanent_failures_are_never_retried(sub):
    day = 24 * 60 * MINUTE
    steps = [["process", 0, [1]], ["reprocess", 30 * MINUTE], ["reprocess", day], ["process", 2 * day, [2]],
             ["reprocess", 3 * day]]
    got = run(sub, 30, steps, {1: ["fail", "fail", "ok"]})[-1]
    expect(got["calls"].get("1") == 2, f"your queue called fn {got['calls'].get('1')} times for record 1, which "
                                       "went to the permanent store after its second failure")
    expect(ids(got["permanent"]) == [1], f"days later your permanent store holds records {ids(got['permanent'])}")
    expect(ids(got["queue"]) == [], f"days later your queue still holds records {ids(got['queue'])}")


# ---- (d) --------------------------------------------------------------------------------------------
def scenarios(seed, count, with_interruptions):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        delay = rng.choice([5, 15, 30, 60, 0.5])
        t, next_id, steps, outcomes = 0, 1, [], {}
        for _ in range(rng.randint(4, 9)):
            t += rng.choice([0, 30, 60 * rng.randint(1, 90), 60 * rng.randint(1, 10) + rng.randint(0, 59)])
            if with_interruptions and rng.random() < 0.4:
                steps.append(["reprocess", t, rng.randint(1, 3)])
                continue
            batch = list(range(next_id, next_id + rng.randint(0, 6)))
            next_id += len(batch)
            for rid in batch:
                outcomes[str(rid)] = ["ok" if rng.random() < 0.55 else "fail", "ok" if rng.random() < 0.5 else "fail"]
            steps.append(["process", t, batch] if rng.random() < 0.8 else ["reprocess", t])
        steps.append(["reprocess", t + 30 * 24 * 60 * MINUTE])  # a month later: everything is due
        out.append({"delay": delay, "steps": steps, "outcomes": outcomes})
    return out


def describe_step(step, snapshot):
    at = f"t={step[1] / MINUTE:g} min"
    if step[0] == "process":
        return f"process() of records {step[2]} at {at}"
    interrupted = f", interrupted at its call number {step[2]} of fn" if snapshot["interrupted"] else ""
    return f"reprocess_due() at {at}{interrupted}"


def check_scenarios(sub, scenario_list):
    results = sub.run(dlq_scenarios, scenario_list, helpers=[dlq_script])
    for number, (scenario, seen) in enumerate(zip(scenario_list, results), start=1):
        handed: list[int] = []
        for index, (step, snapshot) in enumerate(zip(scenario["steps"], seen), start=1):
            if step[0] == "process":
                handed += step[2]
            where = (f"in random scenario {number} (retry_delay_minutes={scenario['delay']:g}), "
                     f"after step {index}, {describe_step(step, snapshot)}")
            places = {}
            for rid in snapshot["succeeded"]:
                places.setdefault(rid, []).append("processed successfully")
            for rid in snapshot["queue"]:
                places.setdefault(rid, []).append("in the queue")
            for rid in snapshot["permanent"]:
                places.setdefault(rid, []).append("in the permanent store")
            for rid in handed:
                found = places.get(rid, [])
                expect(found, f"{where}, record {rid} is lost: not processed, not in the queue, not in the permanent store")
                expect(len(found) == 1, f"{where}, record {rid} is duplicated: {' and '.join(found)}")
            stray = sorted(set(places) - set(handed))
            expect(not stray, f"{where}, records {stray} appear in your queue though they were never handed to it")
        final = seen[-1]
        expect(final["queue"] == [], f"in random scenario {number}, a month after the last batch your queue still "
                                     f"holds records {final['queue']}")
        for rid in handed:
            first, second = scenario["outcomes"][str(rid)]
            if first == "ok" or second == "ok":
                expect(rid in final["succeeded"], f"in random scenario {number}, record {rid} "
                       + ("succeeded at once" if first == "ok" else "failed once, then succeeded on its retry")
                       + ", but your queue did not count it as processed")
            else:
                expect(rid in final["permanent"], f"in random scenario {number}, record {rid} failed twice, "
                                                  "but it is not in your permanent store")


@graded("d", points=2, hint="Every record handed to the queue is always in exactly one place: processed once, "
                            "in the queue, or in the permanent store.")
def test_no_record_lost_or_duplicated_under_random_failures(sub):
    check_scenarios(sub, scenarios(seed=2715, count=80, with_interruptions=False))


@graded("d", points=1, hint="If fn is interrupted (a BaseException such as KeyboardInterrupt) during a retry, "
                            "every record whose retry did not finish must still be in the queue.")
def test_no_record_lost_when_a_retry_is_interrupted(sub):
    check_scenarios(sub, scenarios(seed=15027, count=80, with_interruptions=True))
