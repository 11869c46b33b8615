// A consumer: reads a typed token stream over HTTP and prints it as it arrives. Run: node --import tsx examples/consumer.ts URL
import { StreamError } from "streamtypes";
import { TOKENS } from "./tokens.js";

/** Reads one stream from `url`, printing tokens live with a progress line; returns the footer. */
export async function printTokens(url: string, init?: RequestInit, out: (s: string) => void = (s) => process.stdout.write(s)) {
  const reader = TOKENS.reader(fetch(url, init), { idleTimeoutMs: 30_000 });
  const header = await reader.readHeader();
  out(`run ${header.runId.slice(0, 8)} · model ${header.model}\n\n`);
  const started = performance.now();
  for await (const token of reader.readItems()) {
    out(token.text);
    if (token.index % 16 === 15) {
      const seconds = (performance.now() - started) / 1000;
      out(`  ⟨${token.index + 1} tokens, ${((token.index + 1) / seconds).toFixed(0)} tok/s, ${reader.bytesRead} B⟩\n`);
    }
  }
  const footer = await reader.readFooter();
  out(`\n\n✓ ${footer.tokens} tokens in ${footer.durationMs} ms (${footer.finishReason}), ${reader.bytesRead} bytes on the wire\n`);
  return footer;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.argv[2] ?? "http://127.0.0.1:8080/tokens";
  printTokens(url).catch((err) => {
    console.error(err instanceof StreamError ? `\n✗ ${err.code}: ${err.message}` : err);
    process.exitCode = 1;
  });
}
