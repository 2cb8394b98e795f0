import Rendering

/// Why a line is not an address, as a sentence a person can act on.
public enum AddressParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case surroundingWhitespace
    case embeddedNUL
    case invalidCharacter(String, family: IPAddress.Family?)
    case wrongOctetCount(Int)
    case emptyOctet
    case leadingZero(String)
    case octetOutOfRange(String)
    case multipleDoubleColons
    case tooManyGroups(Int)
    case tooFewGroups(Int)
    case doubleColonWithEightGroups
    case groupTooLong(String)
    case emptyGroup
    case embeddedIPv4NotLast
    indirect case embeddedIPv4(AddressParseError)
    case emptyZone
    /// A zone id is an interface name or index: no control characters, `%`, `/` or whitespace,
    /// at most 15 bytes (IFNAMSIZ less its NUL).
    case invalidZone(String, reason: String)
    case zoneOnIPv4
    case zoneInPrefix
    case multipleSlashes
    case badPrefixLength(String)
    case prefixLengthOutOfRange(Int, max: Int)
    case hostBitsSet(input: String, network: String)

    public var description: String {
        switch self {
        case .empty:
            return "empty input: expected an IPv4 or IPv6 address"
        case .surroundingWhitespace:
            return "leading or trailing whitespace is not part of an address; remove it"
        case .embeddedNUL:
            return "the input contains a NUL byte, which is never part of an address"
        case .invalidCharacter(let character, let family):
            switch family {
            case .v4: return "character \(character) is not allowed in an IPv4 address (digits and dots only)"
            case .v6: return "character \(character) is not allowed in an IPv6 address (hex digits, ':' and an embedded IPv4 part)"
            case nil: return "character \(character) is not allowed in an address"
            }
        case .wrongOctetCount(let count):
            return "an IPv4 address has 4 dot-separated octets; this has \(count)"
                + (count < 4 ? " (short forms like 10.1 or 1.2.3 are ambiguous and not accepted)" : "")
        case .emptyOctet:
            return "empty octet: a dot at the start or end, or two dots in a row"
        case .leadingZero(let octet):
            return "octet '\(TerminalText.escape(octet))' has a leading zero, which is ambiguous (octal or decimal?); write it without leading zeros"
        case .octetOutOfRange(let octet):
            return "octet \(octet) is out of range: each octet is 0-255"
        case .multipleDoubleColons:
            return "'::' may appear only once in an IPv6 address"
        case .tooManyGroups(let count):
            return "too many groups: an IPv6 address has 8 groups of 16 bits; this has \(count)"
        case .tooFewGroups(let count):
            return "too few groups: \(count) of 8, and no '::' to stand for the missing ones"
        case .doubleColonWithEightGroups:
            return "'::' stands for one or more zero groups, but all 8 groups are already written"
        case .groupTooLong(let group):
            return "group '\(TerminalText.escape(group))' has more than 4 hex digits"
        case .emptyGroup:
            return "empty group: a single ':' at the start or end, or ':::'"
        case .embeddedIPv4NotLast:
            return "an embedded IPv4 address may only stand in the last 32 bits (e.g. ::ffff:192.0.2.1)"
        case .embeddedIPv4(let inner):
            return "embedded IPv4 part: \(inner)"
        case .emptyZone:
            return "empty zone id after '%' (write e.g. fe80::1%eth0)"
        case .invalidZone(let zone, let reason):
            return "zone id '\(TerminalText.escape(zone))' \(reason); a zone is an interface name or number such as eth0 or 2"
        case .zoneOnIPv4:
            return "a zone id ('%eth0') belongs to IPv6 addresses only"
        case .zoneInPrefix:
            return "a zone id cannot be combined with a prefix length"
        case .multipleSlashes:
            return "more than one '/': write one address and one prefix length, e.g. 10.0.0.0/8"
        case .badPrefixLength(let text):
            return "prefix length '\(TerminalText.escape(text))' is not a decimal number"
        case .prefixLengthOutOfRange(let length, let max):
            return "prefix length /\(length) is out of range: it is 0-\(max) for IPv\(max == 32 ? 4 : 6)"
        case .hostBitsSet(let input, let network):
            return "host bits are set in \(TerminalText.escape(input)); the network is \(network)"
        }
    }
}

