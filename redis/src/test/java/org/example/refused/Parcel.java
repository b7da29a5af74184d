package org.example.refused;

import java.io.Serializable;

/** An application class outside the library's packages: refused unless a cluster allows it. */
public record Parcel(String label) implements Serializable {
}
