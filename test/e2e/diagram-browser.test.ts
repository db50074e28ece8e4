// The HTML diagram in a real browser (Debian's `chromium`, driven by playwright-core; no
// browser download): the page renders with one visible arrow per packet, every call box, and
// the hover panel shows the full packet. The diagram is drawn from packets recorded in a real
// host-crash run (test/unit/fixtures/wire), and from the CLI's own --diagram (run and compare).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtml } from "../../src/reporters/diagram/html.js";
import type { DiagramCall } from "../../src/reporters/diagram/types.js";
import type { Report } from "../../src/types.js";
import { connectionEnds } from "../../src/wire/connections.js";
import { diagramFromWire } from "../../src/wire/diagram-input.js";
import { type LabelInput, labelPackets } from "../../src/wire/label.js";
import { timerSpans } from "../../src/wire/timers.js";
import { isRoot, tcpdrop } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn("skipping the browser test: install Debian's `chromium` package");

const fixture = JSON.parse(
  readFileSync(new URL("../unit/fixtures/wire/host-crash-keepalive.json", import.meta.url), "utf8"),
) as {
  packets: LabelInput[];
  events: (DiagramCall & { side: string; detail?: string })[];
};
const lanes: Record<string, string> = {
  "198.51.100.2": "client",
  "198.51.100.1": "router",
  "203.0.113.1": "router",
  "203.0.113.2": "server",
};
const packets = labelPackets(fixture.packets, connectionEnds(fixture.events));
const input = diagramFromWire({
  title: "tcpdrop run host-crash --keepalive 1,1,2",
  lanes,
  packets,
  calls: fixture.events
    .filter((e) => e.conn !== "listener")
    .map((e) => ({ tMs: e.tMs, lane: e.side, conn: e.conn, call: e.call, result: e.result })),
  fault: "the server host vanishes",
  hostEvents: [{ tMs: 0, lane: "server", kind: "host-death", text: "server host dies" }],
  spans: timerSpans(packets, (ip) => lanes[ip] ?? "router"),
  fromMs: -300,
});

describe.skipIf(!hasChromium)("the HTML diagram in chromium", () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), "tcpdrop-diagram-"));
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("renders one visible arrow per packet and the hover panel", async () => {
    const file = join(dir, "host-crash.html");
    writeFileSync(file, renderHtml(input));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith("file:")) requests.push(r.url());
    });
    await page.goto(`file://${file}`);
    const arrows = page.locator("g.packet line");
    expect(input.packets.length).toBeGreaterThan(10);
    expect(await arrows.count()).toBe(input.packets.length);
    const sizes = await arrows.evaluateAll((lines) =>
      lines.map((l) => (l as SVGGraphicsElement).getBBox().width),
    );
    expect(sizes.every((w) => w > 100)).toBe(true);
    const probes = input.packets.filter((p) => p.kind === "keepalive-probe").length;
    expect(probes).toBe(2);
    expect(await page.locator("g.packet.k-keepalive-probe").count()).toBe(probes);
    expect(await page.locator("g.call").count()).toBeGreaterThan(5);

    // point at the first probe's label (a real mouse move: the page's own script shows the tip)
    const label = page.locator("g.packet.k-keepalive-probe text").first();
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1200, height: Math.ceil(height) });
    const box = await label.boundingBox();
    if (!box) throw new Error("the probe's label has no box");
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const tip = page.locator("#tip");
    expect(await tip.isVisible()).toBe(true);
    expect(await tip.textContent()).toMatch(/keepalive probe/);
    expect(requests).toEqual([]);
    await page.close();
  });

  // The CLI's own file: a real crash-reboot run, drawn from its capture.
  it.skipIf(!isRoot)(
    "tcpdrop run crash-reboot --diagram: one arrow per packet of the report, the RST among them",
    async () => {
      const file = join(dir, "crash-reboot.html");
      const res = await tcpdrop(["run", "crash-reboot", "--diagram", file, "--json"]);
      expect(res.code).toBe(0);
      const run = (JSON.parse(res.stdout) as Report).runs[0];
      const drawn = (run.packets ?? []).filter((p) => p.tMs >= -300 && p.kind !== "other");
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(`file://${file}`);
      expect(drawn.length).toBeGreaterThan(5);
      expect(await page.locator("g.packet line").count()).toBe(drawn.length);
      expect(await page.locator("g.packet.k-rst").count()).toBe(
        drawn.filter((p) => p.kind === "rst").length,
      );
      expect(await page.locator("g.mark.m-reboot").count()).toBe(1);
      await page.close();
    },
  );

  it.skipIf(!isRoot)(
    "tcpdrop compare --diagram: the settings side by side, one picture each",
    async () => {
      const file = join(dir, "compare.html");
      const res = await tcpdrop([
        ...["compare", "peer-close", "--keepalive", "off", "--keepalive", "1,1,2"],
        ...["--diagram", file, "--json"],
      ]);
      expect(res.code).toBe(0);
      const runs = (JSON.parse(res.stdout) as Report).runs;
      const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
      await page.goto(`file://${file}`);
      const sections = page.locator("section");
      expect(await sections.count()).toBe(2);
      expect(await sections.locator("h2").allTextContents()).toEqual(
        runs.map((r) => `tcpdrop ${r.scenario} · ${r.label}`),
      );
      for (const [i, run] of runs.entries()) {
        const drawn = (run.packets ?? []).filter((p) => p.tMs >= -300 && p.kind !== "other");
        expect(await sections.nth(i).locator("g.packet line").count()).toBe(drawn.length);
      }
      // side by side: the second picture starts to the right of the first
      const [a, b] = [await sections.nth(0).boundingBox(), await sections.nth(1).boundingBox()];
      expect((b?.x ?? 0) >= (a?.x ?? 0) + (a?.width ?? 0)).toBe(true);
      await page.close();
    },
  );
});
