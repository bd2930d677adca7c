// `make assets`: rebuilds the committed front-end files from npm packages. Node is needed only
// here; `make run` and `make test` use the built files in static/ and tests/vendor/.
//   static/css/portal.css   modern-normalize + Open Props tokens + our components (lightningcss)
//   static/css/admin.css    the Django admin's accessibility fixes and brand colour
//   static/icons/icons.svg  a sprite of the Lucide icons we use (format icons, header)
//   tests/vendor/axe.min.js axe-core, injected by the accessibility browser tests
import { bundleAsync, browserslistToTargets } from "lightningcss";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

// The browsers a hospital group's staff use: two years of evergreen browsers, Safari 15+.
const targets = { chrome: 100 << 16, firefox: 100 << 16, safari: 15 << 16, edge: 100 << 16 };

for (const name of ["portal.css", "admin.css"]) {
  const { code } = await bundleAsync({
    filename: join(root, "assets/css", name),
    minify: true,
    targets,
    resolver: {
      resolve(specifier, from) {
        // Bare specifiers ("open-props/sizes.min.css") come from node_modules.
        if (specifier.startsWith(".")) return join(dirname(from), specifier);
        return require.resolve(specifier);
      },
    },
  });
  writeFileSync(join(root, "static/css", name), code);
}

// Format icons (Item.Format values) and interface icons, as <symbol>s for <use href>.
const ICONS = {
  course: "graduation-cap",
  elearning: "laptop",
  video: "monitor-play",
  book: "book-open",
  article: "newspaper",
  podcast: "headphones",
  live_session: "calendar-clock",
  learning_circle: "users",
  clock: "clock",
  calendar: "calendar",
  "map-pin": "map-pin",
  menu: "menu",
  search: "search",
};
const symbols = Object.entries(ICONS).map(([id, name]) => {
  const svg = readFileSync(require.resolve(`lucide-static/icons/${name}.svg`), "utf8");
  const body = svg.replace(/<!--[\s\S]*?-->/g, "").replace(/^[\s\S]*?<svg[^>]*>/, "").replace(/<\/svg>\s*$/, "");
  return `<symbol id="icon-${id}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${body.replace(/\s+/g, " ").trim()}</symbol>`;
});
writeFileSync(
  join(root, "static/icons/icons.svg"),
  `<svg xmlns="http://www.w3.org/2000/svg"><!-- Lucide (ISC licence), built by assets/build.mjs -->${symbols.join("")}</svg>\n`,
);

copyFileSync(require.resolve("axe-core/axe.min.js"), join(root, "tests/vendor/axe.min.js"));
console.log("Built static/css/{portal,admin}.css, static/icons/icons.svg, tests/vendor/axe.min.js");
