package io.flux.media.server.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed {@code log.levels} setting: {@code logger.name=LEVEL} entries. Invalid entries are kept
 * aside so the caller can log them; they never stop the valid ones from applying.
 */
record LoggerLevels(Map<String, LogLevel> levels, List<String> invalid) {

    LoggerLevels {
        levels = Collections.unmodifiableMap(new LinkedHashMap<>(levels));
        invalid = List.copyOf(invalid);
    }

    static LoggerLevels parse(String[] entries) {
        Map<String, LogLevel> levels = new LinkedHashMap<>();
        List<String> invalid = new ArrayList<>();
        if (entries != null) {
            for (String entry : entries) {
                if (entry == null || entry.isBlank()) {
                    continue;
                }
                int eq = entry.indexOf('=');
                String name = eq < 0 ? "" : entry.substring(0, eq).trim();
                LogLevel level = eq < 0 ? null : LogLevel.parse(entry.substring(eq + 1)).orElse(null);
                if (name.isEmpty() || level == null || name.chars().anyMatch(Character::isWhitespace)) {
                    invalid.add(entry);
                } else {
                    // A later entry for the same logger wins, as in a properties file.
                    levels.put(name, level);
                }
            }
        }
        return new LoggerLevels(levels, invalid);
    }
}
