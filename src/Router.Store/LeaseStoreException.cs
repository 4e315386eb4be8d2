namespace Router.Store;

/// <summary>The store cannot be used as it is (newer schema, unreadable file): the message says what to do.</summary>
public sealed class LeaseStoreException(string message, Exception? inner = null) : Exception(message, inner);
