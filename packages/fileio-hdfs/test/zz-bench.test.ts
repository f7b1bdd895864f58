import { HdfsFileIO } from "../src/index.js";
it("timing", async () => {
  const io = new HdfsFileIO("hdfs://127.0.0.1:9000", { endpoint: "http://127.0.0.1:9870" });
  const base = `hdfs://127.0.0.1:9000/bench/${Date.now()}`;
  const t = async (name: string, f: () => Promise<unknown>) => { const s = performance.now(); await f(); console.log(name, (performance.now() - s).toFixed(1), "ms"); };
  for (let i = 0; i < 3; i++) await t("createIfAbsent", () => io.createIfAbsent(`${base}/f${i}`, new Uint8Array(10)));
  for (let i = 0; i < 3; i++) await t("stat", () => io.stat(`${base}/f${i}`));
  await t("CREATE raw", () => io.client.call({ method: "PUT", op: "CREATE", path: `/bench/raw${Date.now()}`, redirect: true, body: new Uint8Array(10), retry: "safe" }));
  await t("RENAME raw", () => io.client.call({ method: "PUT", op: "RENAME", path: `${new URL(base.replace("hdfs","http")).pathname}/f0`, params: { destination: `${new URL(base.replace("hdfs","http")).pathname}/g0`, renameoptions: "NONE" }, retry: "safe" }));
  const s = performance.now();
  await Promise.all(Array.from({ length: 50 }, (_, i) => io.createIfAbsent(`${base}/p/f${i}`, new Uint8Array(10))));
  console.log("50 parallel", (performance.now() - s).toFixed(0));
  await io.close();
}, 60000);
