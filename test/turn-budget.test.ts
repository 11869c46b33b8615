// The share of a turn of the event loop that sendResponse's sends take across streams (src/writer/node-turn-budget.ts).
import { describe, expect, it } from "vitest";
import { nextSlice, sliceUsedUp } from "../src/writer/node-turn-budget.js";

describe("the send budget of a turn", () => {
  it("is used up by sends that go on for long in one turn, and fresh again in the next turn", async () => {
    await nextSlice(); // start from a turn of our own
    let calls = 0;
    // Spin in one turn, as a thousand streams whose producers wake together would: the budget runs out.
    while (!sliceUsedUp()) {
      calls++;
      if (calls > 1e9) throw new Error("the budget never ran out");
    }
    expect(calls).toBeGreaterThan(0);
    await nextSlice(); // timers and I/O have had their turn
    expect(sliceUsedUp()).toBe(false);
  });

  it("a timer due while sends hold the loop fires before they go on", async () => {
    await nextSlice();
    const order: string[] = [];
    setTimeout(() => order.push("timer"), 0);
    const started = Date.now();
    while (Date.now() - started < 5); // the timer is due
    while (!sliceUsedUp()); // sends use up the turn's share
    await nextSlice();
    order.push("sends go on");
    expect(order).toEqual(["timer", "sends go on"]);
  });
});
