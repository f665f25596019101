// How the test files build transactions with @solana/kit: a v0 message from a fee
// payer, on the latest blockhash, signed by every signer its instructions name.
import {
  appendTransactionMessageInstructions,
  createSolanaRpc,
  createTransactionMessage,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Commitment,
  type Instruction,
  type TransactionSigner,
} from "@solana/kit";

/** `instructions` paid by `payer`, on the latest blockhash at `commitment`, signed. */
export async function signedTransaction(
  rpc: ReturnType<typeof createSolanaRpc>,
  payer: TransactionSigner,
  instructions: readonly Instruction[],
  commitment: Commitment = "confirmed",
) {
  const { value: blockhash } = await rpc.getLatestBlockhash({ commitment }).send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  return signTransactionMessageWithSigners(message);
}
