// Second, independent oracle for the differential tests: reads one JSON request per line on stdin,
// writes one JSON result per line on stdout (in order). Resolves viem from the repository's node_modules.
import { createInterface } from 'node:readline';
import {
  encodeAbiParameters, encodePacked, parseAbiParameters, hashTypedData, keccak256, toFunctionSelector, toEventSelector,
  getAddress, serializeSignature, serializeTransaction, hashMessage, recoverAddress,
} from 'viem';
import { sign, privateKeyToAccount } from 'viem/accounts';

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

function transaction(t) {
  const tx = {
    chainId: Number(t.chainId),
    nonce: Number(t.nonce),
    gas: BigInt(t.gas),
    to: t.to ?? null,
    value: BigInt(t.value),
    data: t.data,
  };
  if (t.type === 'legacy') return { ...tx, type: 'legacy', gasPrice: BigInt(t.gasPrice) };
  return {
    ...tx, type: 'eip1559', maxFeePerGas: BigInt(t.maxFeePerGas), maxPriorityFeePerGas: BigInt(t.maxPriorityFeePerGas),
    accessList: t.accessList ?? [],
  };
}

async function handle(request) {
  switch (request.op) {
    case 'abi': {
      const params = parseAbiParameters(request.types.join(','));
      return encodeAbiParameters(params, request.values.map((v, i) => convert(params[i], v)));
    }
    case 'packed': {
      const values = request.values.map((v, i) => convert({ type: request.types[i] }, v));
      return encodePacked(request.types, values);
    }
    case 'selector':
      return toFunctionSelector(request.signature);
    case 'eventTopic':
      return toEventSelector(request.signature);
    case 'typedDataHash':
      return hashTypedData(JSON.parse(request.json));
    case 'keccak':
      return keccak256(request.hex);
    case 'checksum':
      return getAddress(request.address);
    case 'signHash':
      return serializeSignature(await sign({ hash: request.hash, privateKey: request.key }));
    case 'signMessage':
      return privateKeyToAccount(request.key).signMessage({ message: request.raw ? { raw: request.raw } : request.message });
    case 'hashMessage':
      return hashMessage(request.raw ? { raw: request.raw } : request.message);
    case 'recover':
      return recoverAddress({ hash: request.hash, signature: request.signature });
    case 'signTransaction':
      return privateKeyToAccount(request.key).signTransaction(transaction(request.tx));
    case 'serializeTransaction':
      return serializeTransaction(transaction(request.tx));
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  try {
    process.stdout.write(JSON.stringify({ ok: await handle(JSON.parse(line)) }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: String(e.message ?? e) }) + '\n');
  }
}
