package org.sparktrain.dl4j;

import java.lang.reflect.Field;
import org.nd4j.parameterserver.distributed.v2.ModelParameterServer;
import org.nd4j.parameterserver.distributed.v2.transport.impl.AeronUdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends this JVM's side of a gradient-sharing mesh, working around two things DL4J 1.0.0-M2's
 * ModelParameterServer and its Aeron transport leave running:
 *
 * <ul>
 *   <li>After a lost member the server cannot drop it: the driver keeps a thread resending updates
 *       to it and holds the controller's UDP port, so a new mesh in the same JVM (a new Spark
 *       application resuming the run) could not bind. Closing its transport ends both.
 *   <li>The transport's message poller ({@code AeronUdpTransport}'s first task) is a {@code while
 *       (true)} loop around {@code subscription.poll} with a 1 µs idle sleep; closing the transport
 *       does not end it. Each run left one such thread in the JVM, polling a closed subscription
 *       forever at about a sixth of a core: in a long-lived JVM (an application calling the Java API
 *       or Spark ML several times, the integration tests) they added up, four of them together took
 *       0.53 of a core at one sample. With its subscription field cleared, the loop's next poll
 *       throws and the task ends; that one exception is logged at debug, any other one a poller
 *       thread ends with at error.
 * </ul>
 *
 * <p>{@link #afterRun} does both, at the end of every gradient-sharing run.
 */
public final class ParameterServerShutdown {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterServerShutdown.class);

  /** The class of the transport's polling task (the loop that never ends). */
  static final String POLLER = AeronUdpTransport.class.getName() + "$2";

  private ParameterServerShutdown() {}

  /**
   * After a gradient-sharing run in this JVM, whole or broken by a lost member: shuts the parameter
   * server down if it is still up and ends its transport's message poller. Returns whether a poller
   * was told to end.
   */
  public static boolean afterRun() {
    ModelParameterServer server = ModelParameterServer.getInstance();
    Object transport = read(server, ModelParameterServer.class, "transport");
    if (server.isInitialized()) {
      server.shutdown();
    }
    if (!(transport instanceof AeronUdpTransport)) {
      return false;
    }
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (isPoller(t)) {
        t.setUncaughtExceptionHandler(ParameterServerShutdown::pollerEnded);
      }
    }
    Field subscription = field(AeronUdpTransport.class, "ownSubscription");
    try {
      if (subscription.get(transport) == null) {
        return false;
      }
      subscription.set(transport, null);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot end DL4J's transport poller: " + subscription, e);
    }
    return true;
  }

  /** Whether {@code frame} is in the transport's polling loop. */
  public static boolean isPollerFrame(StackTraceElement frame) {
    return POLLER.equals(frame.getClassName()) && "run".equals(frame.getMethodName());
  }

  private static boolean isPoller(Thread t) {
    for (StackTraceElement frame : t.getStackTrace()) {
      if (isPollerFrame(frame)) {
        return true;
      }
    }
    return false;
  }

  private static void pollerEnded(Thread t, Throwable e) {
    StackTraceElement[] frames = e.getStackTrace();
    if (e instanceof NullPointerException && frames.length > 0 && isPollerFrame(frames[0])) {
      LOG.debug("Gradient sharing: the transport's message poller ({}) ended", t.getName());
    } else {
      LOG.error("Gradient sharing: the transport's message poller ({}) ended with an error", t.getName(), e);
    }
  }

  private static Object read(Object target, Class<?> type, String name) {
    try {
      return field(type, name).get(target);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read DL4J's " + type.getName() + "." + name, e);
    }
  }

  private static Field field(Class<?> type, String name) {
    try {
      Field f = type.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(
          "DL4J's " + type.getName() + " has no field " + name + ": this work-around is for DL4J 1.0.0-M2", e);
    }
  }
}
