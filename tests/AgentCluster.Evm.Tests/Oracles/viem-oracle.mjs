// Second, independent oracle for the differential tests: reads one JSON request per line on stdin,
// writes one JSON result per line on stdout. Resolves viem from the repository's node_modules.
import { createInterface } from 'node:readline';
import { encodeAbiParameters, encodePacked, parseAbiParameters, hashTypedData, keccak256 } from 'viem';

function convert(param, value) {
  const array = param.type.match(/^(.*)\[(\d*)\]$/);
  if (array) {
    const inner = { ...param, type: array[1] };
    return value.map((v) => convert(inner, v));
  }
  if (param.type === 'tuple') return value.map((v, i) => convert(param.components[i], v));
  if (/^u?int\d*$/.test(param.type)) return BigInt(value);
  return value;
}

function handle(request) {
  switch (request.op) {
    case 'abi': {
      const params = parseAbiParameters(request.types.join(','));
      return encodeAbiParameters(params, request.values.map((v, i) => convert(params[i], v)));
    }
    case 'packed': {
      const values = request.values.map((v, i) => convert({ type: request.types[i] }, v));
      return encodePacked(request.types, values);
    }
    case 'typedDataHash':
      return hashTypedData(JSON.parse(request.json));
    case 'keccak':
      return keccak256(request.hex);
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  try {
    process.stdout.write(JSON.stringify({ ok: handle(JSON.parse(line)) }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: String(e.message ?? e) }) + '\n');
  }
}
