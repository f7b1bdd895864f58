// ali-oss (behind @paimon-ts/connector and fileio-oss) ships .ts sources next to its compiled .js
// files, and an extensionless require must pick the .js one, so "js" comes first here.
module.exports = require("../../jest.base.cjs")(__dirname, { moduleFileExtensions: ["js", "ts", "mjs", "cjs", "json"] });
