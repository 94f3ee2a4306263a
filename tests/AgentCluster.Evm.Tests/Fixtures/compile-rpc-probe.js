// Compiles RpcProbe.sol with the project's solc-js and prints the C# constants for RpcProbeContract.cs.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require(path.join(__dirname, '..', '..', '..', 'node_modules', 'solc'));
const source = fs.readFileSync(path.join(__dirname, 'RpcProbe.sol'), 'utf8');
const input = {
  language: 'Solidity',
  sources: { 'RpcProbe.sol': { content: source } },
  settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
for (const e of output.errors || []) if (e.severity === 'error') { console.error(e.formattedMessage); process.exit(1); }
const c = output.contracts['RpcProbe.sol'].RpcProbe;
console.log('solc ' + solc.version());
console.log('Bytecode = "0x' + c.evm.bytecode.object + '";');
console.log('Abi = """' + JSON.stringify(c.abi) + '""";');
