// Copies the files the library reads at run time (pod scripts) next to the compiled JavaScript.
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function copyScripts(from, to) {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      copyScripts(join(from, entry.name), join(to, entry.name));
    } else if (entry.name.endsWith('.sh')) {
      cpSync(join(from, entry.name), join(to, entry.name));
    }
  }
}

copyScripts('lib', join('build', 'lib'));
