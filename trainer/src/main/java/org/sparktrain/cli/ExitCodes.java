package org.sparktrain.cli;

import java.io.PrintWriter;
import org.sparktrain.checkpoint.CheckpointInputException;
import org.sparktrain.data.DataException;
import org.sparktrain.model.ModelException;
import org.sparktrain.spec.SpecException;
import org.sparktrain.train.DivergedException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Maps failures to exit codes: bad input (job file, data, model file, checkpoint directory,
 * usage) is 2 with the message alone; anything else is 1 with its stack trace.
 */
final class ExitCodes implements IExecutionExceptionHandler {
  static final int OK = 0;
  static final int FAILURE = 1;
  static final int BAD_INPUT = 2;

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    RuntimeException badInput = badInput(ex);
    if (badInput != null) {
      err.println("error: " + badInput.getMessage());
      err.flush();
      return BAD_INPUT;
    }
    err.println("failed: " + ex);
    ex.printStackTrace(err);
    err.flush();
    return FAILURE;
  }

  /**
   * The bad-input exception in a cause chain, if any. Spark wraps an executor's exception in
   * SparkException, so the whole chain is searched.
   */
  static RuntimeException badInput(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SpecException
          || c instanceof DataException
          || c instanceof ModelException
          || c instanceof CheckpointInputException
          || c instanceof DivergedException) {
        return (RuntimeException) c;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  /** Usage errors: the message, the command's usage, exit 2. */
  static final class UsageErrors implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("error: " + ex.getMessage());
      ex.getCommandLine().usage(err);
      err.flush();
      return BAD_INPUT;
    }
  }
}
