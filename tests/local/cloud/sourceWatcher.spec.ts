import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { isProgramSource, watchSources } from "../../../local/cloud/sourceWatcher";

describe("cloud/sourceWatcher: the program's sources, watched", () => {
  it("takes source files and this stack's config; not other stacks', editors' temporary files, dot folders or dependencies", () => {
    for (const file of ["index.ts", "Pulumi.yaml", "Pulumi.dev.yaml", "functions/data.ts", "program/templates/t.vtl", "openapi/api.yaml", "components/x/y.json"]) {
      expect(isProgramSource(file, "dev"), file).to.equal(true);
    }
    for (const file of ["Pulumi.prod.yaml", "functions/.data.ts.swp", "functions/data.ts~", ".local/dev/usage.json", "functions/node_modules/x/index.js", "README.md", "functions/.data.ts.saving"]) {
      expect(isProgramSource(file, "dev"), file).to.equal(false);
    }
  });

  it("reports a burst of saves once, with the files, and nothing from ignored folders", async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "watch-"));
    for (const folder of ["functions", "node_modules/pkg", "state"]) fs.mkdirSync(path.join(project, folder), { recursive: true });
    const reports: string[][] = [];
    const watcher = watchSources({ projectDir: project, stack: "dev", ignore: [path.join(project, "state")], onChange: (files) => reports.push(files), debounceMs: 50 });
    try {
      expect(watcher.folders).to.deep.equal([".", "functions"]);
      fs.writeFileSync(path.join(project, "functions", "a.ts"), "1");
      fs.writeFileSync(path.join(project, "functions", "a.ts"), "2");
      fs.writeFileSync(path.join(project, "Pulumi.dev.yaml"), "config: {}\n");
      fs.writeFileSync(path.join(project, "node_modules", "pkg", "index.js"), "1");
      fs.writeFileSync(path.join(project, "state", "usage.json"), "{}");
      fs.writeFileSync(path.join(project, "Pulumi.prod.yaml"), "config: {}\n");
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(reports).to.deep.equal([["Pulumi.dev.yaml", path.join("functions", "a.ts")]]);
    } finally {
      watcher.close();
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  it("does not take the file its own output is redirected to for a source (npm start -- --watch > run.txt)", () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "watch-own-"));
    const log = path.join(project, "run.txt");
    // A process whose stdout is run.txt, in the project, writing to it, then editing notes.txt.
    const script = `
      const fs = require("node:fs");
      const { watchSources } = require(${JSON.stringify(path.resolve(__dirname, "../../../local/cloud/sourceWatcher"))});
      const reports = [];
      const watcher = watchSources({ projectDir: ${JSON.stringify(project)}, stack: "dev", onChange: (files) => reports.push(files), debounceMs: 30 });
      let n = 0;
      const timer = setInterval(() => {
        process.stdout.write("line " + n++ + "\\n");
        if (n === 5) fs.writeFileSync(${JSON.stringify(path.join(project, "notes.txt"))}, "edited");
        if (n === 15) { clearInterval(timer); watcher.close(); fs.writeFileSync(${JSON.stringify(path.join(project, "reports.json"))}, JSON.stringify(reports)); }
      }, 20);`;
    const out = fs.openSync(log, "w");
    try {
      const result = spawnSync(process.execPath, ["-r", path.resolve(__dirname, "../../../local/registerTypeScript.js"), "-e", script], { stdio: ["ignore", out, "inherit"], timeout: 20_000 });
      expect(result.status).to.equal(0);
      expect(fs.readFileSync(log, "utf8")).to.contain("line 14");
      expect(JSON.parse(fs.readFileSync(path.join(project, "reports.json"), "utf8"))).to.deep.equal([["notes.txt"]]);
    } finally {
      fs.closeSync(out);
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
