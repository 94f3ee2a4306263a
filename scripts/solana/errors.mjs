// LiteSVM's transaction errors in the real RPC's JSON shapes (solana-transaction-error's serde form), and their
// messages as the real node words them in "Transaction simulation failed: ...".

// The order of LiteSVM's TransactionErrorFieldless / InstructionErrorFieldless enums (litesvm/dist/internal.d.ts).
const TRANSACTION_ERRORS = ['AccountInUse', 'AccountLoadedTwice', 'AccountNotFound', 'ProgramAccountNotFound', 'InsufficientFundsForFee',
  'InvalidAccountForFee', 'AlreadyProcessed', 'BlockhashNotFound', 'CallChainTooDeep', 'MissingSignatureForFee', 'InvalidAccountIndex',
  'SignatureFailure', 'InvalidProgramForExecution', 'SanitizeFailure', 'ClusterMaintenance', 'AccountBorrowOutstanding',
  'WouldExceedMaxBlockCostLimit', 'UnsupportedVersion', 'InvalidWritableAccount', 'WouldExceedMaxAccountCostLimit',
  'WouldExceedAccountDataBlockLimit', 'TooManyAccountLocks', 'AddressLookupTableNotFound', 'InvalidAddressLookupTableOwner',
  'InvalidAddressLookupTableData', 'InvalidAddressLookupTableIndex', 'InvalidRentPayingAccount', 'WouldExceedMaxVoteCostLimit',
  'WouldExceedAccountDataTotalLimit', 'MaxLoadedAccountsDataSizeExceeded', 'ResanitizationNeeded', 'InvalidLoadedAccountsDataSizeLimit',
  'UnbalancedTransaction', 'ProgramCacheHitMaxLimit', 'CommitCancelled'];
const INSTRUCTION_ERRORS = ['GenericError', 'InvalidArgument', 'InvalidInstructionData', 'InvalidAccountData', 'AccountDataTooSmall',
  'InsufficientFunds', 'IncorrectProgramId', 'MissingRequiredSignature', 'AccountAlreadyInitialized', 'UninitializedAccount',
  'UnbalancedInstruction', 'ModifiedProgramId', 'ExternalAccountLamportSpend', 'ExternalAccountDataModified', 'ReadonlyLamportChange',
  'ReadonlyDataModified', 'DuplicateAccountIndex', 'ExecutableModified', 'RentEpochModified', 'NotEnoughAccountKeys',
  'AccountDataSizeChanged', 'AccountNotExecutable', 'AccountBorrowFailed', 'AccountBorrowOutstanding', 'DuplicateAccountOutOfSync',
  'InvalidError', 'ExecutableDataModified', 'ExecutableLamportChange', 'ExecutableAccountNotRentExempt', 'UnsupportedProgramId',
  'CallDepth', 'MissingAccount', 'ReentrancyNotAllowed', 'MaxSeedLengthExceeded', 'InvalidSeeds', 'InvalidRealloc',
  'ComputationalBudgetExceeded', 'PrivilegeEscalation', 'ProgramEnvironmentSetupFailure', 'ProgramFailedToComplete',
  'ProgramFailedToCompile', 'Immutable', 'IncorrectAuthority', 'AccountNotRentExempt', 'InvalidAccountOwner', 'ArithmeticOverflow',
  'UnsupportedSysvar', 'IllegalOwner', 'MaxAccountsDataAllocationsExceeded', 'MaxAccountsExceeded', 'MaxInstructionTraceLengthExceeded',
  'BuiltinProgramsMustConsumeComputeUnits', 'BorshIoError'];

/** A LiteSVM transaction error as the RPC's JSON: "BlockhashNotFound", {"InstructionError":[0,{"Custom":7}]}, ... */
export function transactionErrorJson(err) {
  if (err === null || err === undefined) return null;
  if (typeof err === 'number') return TRANSACTION_ERRORS[err] ?? `TransactionError${err}`;
  const kind = err.constructor?.name ?? '';
  if (kind === 'TransactionErrorInstructionError') return { InstructionError: [err.index, instructionErrorJson(err.err())] };
  if (kind === 'TransactionErrorDuplicateInstruction') return { DuplicateInstruction: err.index };
  if (kind === 'TransactionErrorInsufficientFundsForRent') return { InsufficientFundsForRent: { account_index: err.accountIndex } };
  if (kind === 'TransactionErrorProgramExecutionTemporarilyRestricted') return { ProgramExecutionTemporarilyRestricted: { account_index: err.accountIndex } };
  return String(err);
}

function instructionErrorJson(err) {
  if (typeof err === 'number') return INSTRUCTION_ERRORS[err] ?? `InstructionError${err}`;
  const kind = err?.constructor?.name ?? '';
  if (kind === 'InstructionErrorCustom') return { Custom: err.code };
  if (kind === 'InstructionErrorBorshIO' || kind === 'InstructionErrorBorshIo') return 'BorshIoError';
  return String(err);
}

const TRANSACTION_MESSAGES = {
  AccountInUse: 'Account in use', AccountLoadedTwice: 'Account loaded twice',
  AccountNotFound: 'Attempt to debit an account but found no record of a prior credit.',
  ProgramAccountNotFound: 'Attempt to load a program that does not exist', InsufficientFundsForFee: 'Insufficient funds for fee',
  InvalidAccountForFee: 'This account may not be used to pay transaction fees',
  AlreadyProcessed: 'This transaction has already been processed', BlockhashNotFound: 'Blockhash not found',
  SignatureFailure: 'Transaction did not pass signature verification', SanitizeFailure: 'Transaction failed to sanitize accounts offsets correctly',
  MissingSignatureForFee: 'Transaction requires a fee but has no signature present',
};
const INSTRUCTION_MESSAGES = {
  GenericError: 'generic instruction error', InvalidArgument: 'invalid program argument', InvalidInstructionData: 'invalid instruction data',
  InvalidAccountData: 'invalid account data for instruction', AccountDataTooSmall: 'account data too small for instruction',
  InsufficientFunds: 'insufficient funds for instruction', IncorrectProgramId: 'incorrect program id for instruction',
  MissingRequiredSignature: 'missing required signature for instruction', AccountAlreadyInitialized: 'instruction requires an uninitialized account',
  UninitializedAccount: 'instruction requires an initialized account', NotEnoughAccountKeys: 'insufficient account keys for instruction',
  ComputationalBudgetExceeded: 'Computational budget exceeded', PrivilegeEscalation: 'Cross-program invocation with unauthorized signer or writable account',
  ProgramFailedToComplete: 'Program failed to complete', InvalidAccountOwner: 'Invalid account owner', ArithmeticOverflow: 'Program arithmetic overflowed',
  InvalidSeeds: 'Provided seeds do not result in a valid address', IllegalOwner: 'Provided owner is not allowed',
};

/** The error's text as the node's Display prints it, e.g. "Error processing Instruction 0: custom program error: 0x7". */
export function transactionErrorMessage(json) {
  if (typeof json === 'string') return TRANSACTION_MESSAGES[json] ?? json;
  if (json?.InstructionError) {
    const [index, inner] = json.InstructionError;
    const text = typeof inner === 'string' ? (INSTRUCTION_MESSAGES[inner] ?? inner) : `custom program error: 0x${inner.Custom.toString(16)}`;
    return `Error processing Instruction ${index}: ${text}`;
  }
  if (json?.InsufficientFundsForRent) return `Transaction results in an account (${json.InsufficientFundsForRent.account_index}) with insufficient funds for rent`;
  if (json?.DuplicateInstruction !== undefined) return `Transaction contains a duplicate instruction (${json.DuplicateInstruction}) that is not allowed`;
  return JSON.stringify(json);
}
