// useStream's request identity (src/react/request-key.ts): the same method, URL and body are one request, whatever object carries them.
import { describe, expect, it } from "vitest";
import { requestKey, sameBody } from "../src/react/request-key.js";

const URL_TEXT = "https://example.com/stream/a?x=1";

describe("requestKey, the identity useStream compares requests by", () => {
  it("a URL string and a URL object for the same resource are one request; another URL, method or body is another", () => {
    expect(requestKey(URL_TEXT)).toBe(requestKey(new URL(URL_TEXT)));
    expect(requestKey(new URL(URL_TEXT))).toBe(requestKey(new URL(URL_TEXT)));
    expect(requestKey(URL_TEXT)).not.toBe(requestKey("https://example.com/stream/b?x=1"));
    expect(requestKey(URL_TEXT, { method: "post", body: "{}" })).toBe(requestKey(new URL(URL_TEXT), { method: "POST", body: "{}" }));
    expect(requestKey(URL_TEXT, { method: "POST", body: "{}" })).not.toBe(requestKey(URL_TEXT, { method: "POST", body: '{"a":1}' }));
    expect(requestKey(URL_TEXT, { method: "POST", body: "{}" })).not.toBe(requestKey(URL_TEXT));
  });

  it("bodies that can be read at once are compared by content: URLSearchParams, bytes, FormData", () => {
    const key = (body: BodyInit) => requestKey(URL_TEXT, { method: "POST", body });
    expect(key(new URLSearchParams({ q: "a" }))).toBe(key(new URLSearchParams({ q: "a" })));
    expect(key(new URLSearchParams({ q: "a" }))).not.toBe(key(new URLSearchParams({ q: "b" })));
    expect(key(new Uint8Array([1, 2, 3]))).toBe(key(new Uint8Array([1, 2, 3]).buffer));
    expect(key(new Uint8Array([1, 2, 3]))).not.toBe(key(new Uint8Array([1, 2, 4])));
    const form = (q: string) => {
      const f = new FormData();
      f.set("q", q);
      return f;
    };
    expect(key(form("a"))).toBe(key(form("a")));
    expect(key(form("a"))).not.toBe(key(form("b")));
  });

  it("a Request is its method and URL at once; its body is compared once read", async () => {
    const post = (body: string) => new Request(URL_TEXT, { method: "POST", body });
    expect(requestKey(new Request(URL_TEXT))).toBe(requestKey(URL_TEXT));
    expect(requestKey(post("a"))).toBe(requestKey(post("b")));
    expect(requestKey(post("a"))).not.toBe(requestKey(new Request(URL_TEXT)));
    expect(await sameBody(post("a"), post("a"))).toBe(true);
    expect(await sameBody(post("a"), post("b"))).toBe(false);
    const sent = post("a");
    await sameBody(sent, post("a"));
    expect(await sent.text()).toBe("a"); // compared through a clone: the Request itself can still be fetched
  });

  it("a function is compared by reference, and null or undefined is no request", () => {
    const open = () => new ReadableStream<Uint8Array>();
    expect(requestKey(open)).toBe(requestKey(open));
    expect(requestKey(open)).not.toBe(requestKey(() => new ReadableStream<Uint8Array>()));
    expect(requestKey(null)).toBeNull();
    expect(requestKey(undefined)).toBeNull();
  });
});
