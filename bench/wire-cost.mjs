// What capturing costs a run: the same scenario alternately with and without tcpdump in the
// router (via bench/wire-capture.mjs's approach: the real runner, Lab.build wrapped), comparing
// the run's wall time and the idle connection's detection time. Issue #12 asks for at most 5 %
// of wall time and 2 ms of detection shift. Needs root and a built dist/.
//   node bench/wire-cost.mjs [rounds=3] [scenario=host-crash] [--keepalive 1,1,2]
import { fromDist, nowMs } from "./lib.mjs";

const argv = process.argv.slice(2);
const rounds = Number(argv[0] ?? 3);
const name = argv[1] ?? "host-crash";
const keepalive = argv.includes("--keepalive") ? argv[argv.indexOf("--keepalive") + 1] : "1,1,2";

const { Lab } = await fromDist("lab/lab.js");
const { Capture } = await fromDist("wire/capture.js");
const { runScenario } = await fromDist("runner/run-scenario.js");
const { loadScenario } = await fromDist("scenario/load.js");
const { parseSettings } = await fromDist("commands/settings.js");

const build = Lab.build.bind(Lab);
async function once(capture) {
  let packets = 0;
  Lab.build = async (options) => {
    const lab = await build(options);
    if (!capture) return lab;
    const cap = await Capture.start({ netns: lab.router.netns, ownAddresses: [] });
    const destroy = lab.destroy.bind(lab);
    lab.destroy = async () => {
      await destroy();
      packets = (await cap.stop()).packets.length;
    };
    return lab;
  };
  const started = nowMs();
  const report = await runScenario(loadScenario(name), parseSettings({ keepalive }));
  const wall = nowMs() - started;
  const idle = report.connections.find((c) => c.id === "idle");
  const detect = idle?.firstFailure?.afterMs ?? null;
  const predicted = idle?.predicted?.afterMs ?? null;
  // measured minus predicted: the prediction follows each run's own last activity and timer
  // alignment, so this is what a capture could shift, without the run-to-run spread
  const error = detect === null || predicted === null ? null : detect - predicted;
  return { wall, detect, error, packets };
}

const runs = { off: [], on: [] };
for (let i = 0; i < rounds; i++) {
  runs.off.push(await once(false));
  runs.on.push(await once(true));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (k) => ({
  wallMs: median(runs[k].map((r) => r.wall)),
  detectMs: median(runs[k].map((r) => r.detect)),
  errorMs: median(runs[k].map((r) => r.error)),
});
const off = summary("off");
const on = summary("on");
console.log(JSON.stringify({ name, keepalive, rounds, runs }, null, 0));
console.log(
  `${name} keepalive ${keepalive}, ${rounds} rounds, medians: wall ${off.wallMs.toFixed(0)} ms without capture, ${on.wallMs.toFixed(0)} ms with (${(((on.wallMs - off.wallMs) / off.wallMs) * 100).toFixed(2)} %); idle detection ${off.detectMs} ms vs ${on.detectMs} ms; measured - predicted ${off.errorMs.toFixed(1)} ms vs ${on.errorMs.toFixed(1)} ms (shift ${(on.errorMs - off.errorMs).toFixed(1)} ms)`,
);
