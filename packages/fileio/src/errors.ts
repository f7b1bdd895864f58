/**
 * Errors as data: every failure paimon-ts reports is one of a few kinds, each with a
 * stable `code` and an `isRetryable` flag, so callers branch on kind, never on text.
 * Messages name the path or object involved but never credentials.
 */

export type ErrorCode =
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "PERMISSION"
  | "RETRYABLE"
  | "INVALID_PATH"
  | "INVALID_INPUT"
  | "COMMIT_CONFLICT"
  | "COMMIT_STATE_UNKNOWN"
  | "UNSUPPORTED"
  | "IO";

export class PaimonError extends Error {
  override name = "PaimonError";
  readonly code: ErrorCode;
  readonly isRetryable: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.isRetryable = options?.retryable ?? code === "RETRYABLE";
  }
}

export class NotFoundError extends PaimonError {
  override name = "NotFoundError";
  constructor(readonly path: string, message?: string, options?: { cause?: unknown }) {
    super("NOT_FOUND", message ?? `not found: ${path}`, options);
  }
}

/** The target exists: the loser of a create-if-absent race gets this. */
export class AlreadyExistsError extends PaimonError {
  override name = "AlreadyExistsError";
  constructor(readonly path: string, message?: string, options?: { cause?: unknown }) {
    super("ALREADY_EXISTS", message ?? `already exists: ${path}`, options);
  }
}

export class PermissionError extends PaimonError {
  override name = "PermissionError";
  constructor(readonly path: string, message?: string, options?: { cause?: unknown }) {
    super("PERMISSION", message ?? `permission denied: ${path}`, options);
  }
}

/** Transient: throttling, 5xx, resets, timeouts before anything was sent. Safe to retry. */
export class RetryableError extends PaimonError {
  override name = "RetryableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("RETRYABLE", message, { ...options, retryable: true });
  }
}

export class InvalidPathError extends PaimonError {
  override name = "InvalidPathError";
  constructor(message: string) {
    super("INVALID_PATH", message);
  }
}

export class InvalidInputError extends PaimonError {
  override name = "InvalidInputError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("INVALID_INPUT", message, options);
  }
}

export class UnsupportedError extends PaimonError {
  override name = "UnsupportedError";
  constructor(message: string) {
    super("UNSUPPORTED", message);
  }
}

/** Another committer won: the work must be re-planned against the new state. */
export class CommitConflictError extends PaimonError {
  override name = "CommitConflictError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("COMMIT_CONFLICT", message, options);
  }
}

/** A commit may or may not have landed (e.g. a timeout after the request was sent). */
export class CommitStateUnknownError extends PaimonError {
  override name = "CommitStateUnknownError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("COMMIT_STATE_UNKNOWN", message, options);
  }
}

export function isPaimonError(e: unknown): e is PaimonError {
  return e instanceof PaimonError;
}
export function isNotFound(e: unknown): e is NotFoundError {
  return e instanceof PaimonError && e.code === "NOT_FOUND";
}
export function isAlreadyExists(e: unknown): e is AlreadyExistsError {
  return e instanceof PaimonError && e.code === "ALREADY_EXISTS";
}
export function isConflict(e: unknown): boolean {
  return e instanceof PaimonError && (e.code === "ALREADY_EXISTS" || e.code === "COMMIT_CONFLICT");
}
export function isRetryable(e: unknown): boolean {
  return e instanceof PaimonError && e.isRetryable;
}
