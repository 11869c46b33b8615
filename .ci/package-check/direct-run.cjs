// The installed package from CommonJS: sendResponse (streamtypes/node) drives a producer made by the main entry
// (streamtypes) directly, without the ReadableStream in between, although each entry's CommonJS build carries its
// own copy of the producer's code. Fails if it silently falls back to reading the stream.
const http = require("node:http");
const { Type } = require("@sinclair/typebox");
const { streamTypes } = require("streamtypes");
const { sendResponse } = require("streamtypes/node");

const NUMBERS = streamTypes(Type.Object({ i: Type.Integer() }));
let takenOver = 0;
const server = http.createServer((_req, res) => {
  const response = NUMBERS.toResponse(async function* (w) {
    for (let i = 0; i < 3; i++) yield w.item({ i });
  });
  // The run behind the body (an internal detail, looked up only to observe that it is taken over).
  const run = response.body[Symbol.for("streamtypes.producerRun")];
  const takeOver = run.takeOver.bind(run);
  run.takeOver = () => {
    takenOver++;
    return takeOver();
  };
  void sendResponse(res, response);
});

server.listen(0, "127.0.0.1", async () => {
  try {
    const items = [];
    for await (const item of NUMBERS.fetch(`http://127.0.0.1:${server.address().port}/`).readItems()) items.push(item.i);
    if (items.join(",") !== "0,1,2") throw new Error(`unexpected items: ${items.join(",")}`);
    if (takenOver !== 1) throw new Error("sendResponse read the producer through its ReadableStream instead of taking its run over");
    console.log("sendResponse took the producer's run over (CommonJS, main and node entries)");
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  } finally {
    server.close();
  }
});
