/**
 * Jest-side switches: a `describe` that runs when its servers (and the Java oracle, if
 * needed) are there, or shows as skipped. Missing pieces fail the run under CI=true
 * (thrown by serverLive / openJava while the file is collected).
 */
import { serverLive, type Backend } from "../src/servers.js";

export function describeWith(backends: Backend[], name: string, body: () => void, extra: { ok: boolean; why: string } = { ok: true, why: "" }): void {
  const missing = backends.filter((b) => !serverLive(b));
  if (missing.length === 0 && extra.ok) describe(name, body);
  else {
    const why = [...missing.map((b) => `${b} server`), ...(extra.ok ? [] : [extra.why])].join(", ");
    describe.skip(`${name} (missing: ${why})`, () => it("needs bash tools/servers/start-all.sh and bash tools/oracle-java/install.sh", () => undefined));
  }
}
