class StorageError extends Error {
  override name = "StorageError";
}

export async function handleChainedError(): Promise<never> {
  await Promise.resolve();
  throw new StorageError("Cannot save user", { cause: new TypeError("Disk is read-only") });
}
