public enum WukongVersion {
    public static let string = "0.1.0"
}
