// cdk8s-cli loads validation plugins with require(); this entry lets it load the TypeScript sources without a build.
require('tsx/cjs');
module.exports = require('../lib/checks/cdk8s-validation.ts');
