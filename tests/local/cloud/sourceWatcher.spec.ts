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
});
