import Support

/// JSON-RPC 2.0 error codes, with LSP's additions.
enum RPCErrorCode: Int {
    case parseError = -32700
    case invalidRequest = -32600
    case methodNotFound = -32601
    case invalidParams = -32602
    case internalError = -32603
    /// LSP: a request before `initialize`.
    case serverNotInitialized = -32002
}

/// A failure answered as a JSON-RPC error response.
struct RPCError: Error {
    var code: RPCErrorCode
    var message: String
}

/// A body that is JSON but not a JSON-RPC message, with the id to answer (null when unreadable).
struct RejectedMessage: Error {
    var id: JSONValue
    var error: RPCError
}

/// A message from the client, classified. Requests carry an id and want an answer;
/// notifications do not.
enum IncomingMessage {
    case request(id: JSONValue, method: String, params: JSONValue)
    case notification(method: String, params: JSONValue)
    /// A response to a request of ours (we send none, so it is ignored).
    case response

    /// Classifies a decoded body, or says why it is not a JSON-RPC message
    /// (with the id to answer when one could be read).
    static func classify(_ value: JSONValue) -> Result<IncomingMessage, RejectedMessage> {
        guard value.objectValue != nil else {
            return .failure(RejectedMessage(id: .null, error: RPCError(code: .invalidRequest, message: "a JSON-RPC message must be an object")))
        }
        var id: JSONValue = .null
        if let given = value["id"] {
            switch given {
            case .int, .string: id = given
            default: return .failure(RejectedMessage(id: .null, error: RPCError(code: .invalidRequest, message: "`id` must be a number or a string")))
            }
        }
        guard value["jsonrpc"]?.stringValue == "2.0" else {
            return .failure(RejectedMessage(id: id, error: RPCError(code: .invalidRequest, message: "`jsonrpc` must be \"2.0\"")))
        }
        guard let method = value["method"] else {
            if value["result"] != nil || value["error"] != nil { return .success(.response) }
            return .failure(RejectedMessage(id: id, error: RPCError(code: .invalidRequest, message: "a request needs a `method`")))
        }
        guard let name = method.stringValue else {
            return .failure(RejectedMessage(id: id, error: RPCError(code: .invalidRequest, message: "`method` must be a string")))
        }
        let params = value["params"] ?? .null
        switch params {
        case .null, .object, .array: break
        default: return .failure(RejectedMessage(id: id, error: RPCError(code: .invalidRequest, message: "`params` must be an object or an array")))
        }
        return .success(value["id"] == nil ? .notification(method: name, params: params) : .request(id: id, method: name, params: params))
    }
}

/// The bodies the server sends.
enum OutgoingMessage {
    static func result(id: JSONValue, _ result: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "result": result]
    }

    static func error(id: JSONValue, _ error: RPCError) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "error": ["code": .int(error.code.rawValue), "message": .string(error.message)]]
    }

    static func notification(_ method: String, _ params: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "method": .string(method), "params": params]
    }
}
